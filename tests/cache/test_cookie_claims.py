"""The personal-data page's "Cookies" section against what responses really set.

Facts (whoever writes the page's text): no cookie on anonymous guide, notice, forum and search
pages; csrftoken only once the person starts a form (GET /csrf/) or signs in; sessionid on
sign-in. Every cookie the site sets must be accounted for in the section, by name or purpose.
"""

import re

import pytest
from django.test import Client

from accounts import roles
from tests import factories

PURPOSE = {"sessionid": "session", "csrftoken": "falsification", "messages": "message"}


@pytest.fixture
def world(site_tree):
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail")
    practice = factories.make_practice(guide, title="Accéder au VPN")
    notice = factories.make_notice(site_tree.notices, title="Vulnérabilité critique")
    _domain, forum = factories.make_domain_with_forum("Télétravail")
    author = factories.make_user(roles.STAFF, username="camille")
    topic = factories.make_topic(forum, author, subject="Dimensionner le VPN")
    return {
        "reading": [
            "/",
            practice.url,
            notice.url,
            "/actualites/",
            "/forum/",
            f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/",
            "/recherche/?q=vpn",
        ],
        "practice": practice,
    }


def cookie_section():
    html = Client().get("/donnees-personnelles/").content.decode()
    match = re.search(r"<h2[^>]*>\s*Cookies\s*</h2>(.*?)(?=<h2|</main>)", html, re.S | re.I)
    assert match, "the personal-data page has no « Cookies » section"
    return re.sub(r"<[^>]+>", " ", match.group(1)).lower()


@pytest.mark.django_db
def test_the_cookie_section_tells_the_truth(world):
    seen = {}
    reader = Client()
    for url in world["reading"]:
        response = reader.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, list(response.cookies))

    # Starting the feedback form fetches a token: csrftoken, and only that.
    started = reader.get("/csrf/")
    assert set(started.cookies) == {"csrftoken"}
    seen.update(dict.fromkeys(started.cookies, "form"))
    token = started.json()["token"]
    sent = reader.post(
        world["practice"].url + "avis/", {"useful": "oui", "csrfmiddlewaretoken": token}
    )
    assert sent.status_code == 302 and not sent.cookies  # the thanks is in the URL
    assert not reader.get(sent.url).cookies

    # Signing in: sessionid, a fresh csrftoken, and the one-time "Connexion réussie" message.
    visitor = Client()
    login = visitor.post("/compte/connexion/", {"login": "camille", "password": factories.PASSWORD})
    assert login.status_code == 302
    assert "sessionid" in login.cookies
    seen.update(dict.fromkeys(login.cookies, "sign-in"))
    assert set(seen) <= {"sessionid", "csrftoken", "messages"}, seen

    section = cookie_section()
    assert "aucun cookie de mesure d'audience" in section or "traçage" in section
    for name in seen:
        assert name in section or PURPOSE[name] in section, (name, section)
