"""What a shared cache may keep: anonymous public pages are public and set no cookie; signed-in
people, personal pages and forms get private, no-store. Plus the security headers."""

import re

import pytest
from django.test import Client

from accounts import roles
from tests import factories

PUBLIC = re.compile(r"^public, max-age=0, s-maxage=\d+$")


@pytest.fixture
def world(site_tree):
    from kb.structure import ensure_site_structure

    tree = ensure_site_structure()
    guide = factories.make_guide(tree.guides, title="Guide du télétravail")
    practice = factories.make_practice(guide, title="Accéder au VPN")
    notice = factories.make_notice(tree.notices, title="Vulnérabilité critique")
    _domain, forum = factories.make_domain_with_forum("Télétravail")
    author = factories.make_user(roles.STAFF, first_name="Camille", last_name="Martin")
    topic = factories.make_topic(forum, author, subject="Dimensionner le VPN")
    return {
        "pages": {
            "accueil": "/",
            "guides": "/guides/",
            "guide": guide.url,
            "chapitre": practice.url,
            "historique": practice.url + "historique/",
            "actualités": "/actualites/",
            "actualités filtrées": "/actualites/?priorite=urgent",
            "avis": notice.url,
            "flux": "/guides/mises-a-jour.atom",
            "flux actualités": "/actualites/atom/",
            "forum": "/forum/",
            "un forum": f"/forum/forum/{forum.slug}-{forum.pk}/",
            "sujet": f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/",
            "recherche": "/recherche/?q=vpn",
        },
        "practice": practice,
        "topic": topic,
        "forum": forum,
        "author": author,
    }


@pytest.mark.django_db
def test_anonymous_public_pages_are_shared_cacheable_and_set_no_cookie(world):
    client = Client()
    for name, url in world["pages"].items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert PUBLIC.match(response["Cache-Control"]), (name, response["Cache-Control"])
        assert not response.cookies, (name, list(response.cookies))
        assert "csrfmiddlewaretoken" not in response.content.decode(), name
        assert response.get("X-Cache-Tags"), name
    assert not client.cookies


@pytest.mark.django_db
def test_signed_in_people_never_get_a_shared_cacheable_page(world, client_for):
    client = client_for(world["author"])
    for name, url in world["pages"].items():
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store", name
        assert "X-Cache-Tags" not in response, name
    profile = client.get("/compte/profil/")
    assert profile.status_code == 200 and profile["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_personal_pages_and_forms_are_private_for_anonymous_visitors_too(world):
    client = Client()
    for url in ("/compte/connexion/", "/guides/partager/", "/admin/", "/csrf/"):
        control = client.get(url)["Cache-Control"]
        assert "private" in control and "no-store" in control and "public" not in control, url
    # A form with errors (a POST) is never shared.
    response = client.post(world["practice"].url + "avis/", {"comment": "Sans réponse"})
    assert response["Cache-Control"] == "private, no-store"
    # A visitor with a pending message sees it: that page is private.
    client.cookies["messages"] = "x"
    assert client.get(world["practice"].url)["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_the_csrf_token_comes_from_csrf_only_when_asked(world):
    client = Client(enforce_csrf_checks=True)
    client.get(world["practice"].url)
    assert "csrftoken" not in client.cookies
    response = client.get("/csrf/")
    token = response.json()["token"]
    assert "csrftoken" in response.cookies
    assert response.cookies["csrftoken"]["httponly"] and response.cookies["csrftoken"]["samesite"]
    posted = client.post(
        world["practice"].url + "avis/", {"useful": "oui", "csrfmiddlewaretoken": token}
    )
    assert posted.status_code == 302


@pytest.mark.django_db
def test_tags_name_what_the_page_shows(world):
    client = Client()
    topic, forum = world["topic"], world["forum"]
    tags = client.get(world["pages"]["sujet"])["X-Cache-Tags"].split(",")
    assert {f"topic-{topic.pk}", f"forum-{forum.pk}"} <= set(tags)
    tags = client.get(world["practice"].url)["X-Cache-Tags"].split(",")
    assert {f"page-{world['practice'].pk}", "type-practicepage"} <= set(tags)


@pytest.mark.django_db
def test_security_headers(world, client_for):
    response = Client().get(world["practice"].url)
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "unsafe-inline" not in script_src
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # The admin's policy is relaxed for its inline scripts, still without any other origin.
    admin = client_for(factories.make_user(roles.EDITOR)).get("/admin/")
    admin_csp = admin["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin_csp
    assert "http" not in admin_csp


def test_session_and_csrf_cookies_are_secure_in_production():
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE,"
        " s.WAGTAIL_GRAVATAR_PROVIDER_URL)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "passerelle.example.fr",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "True", "True", "True", "Lax", "Lax", "None"]
