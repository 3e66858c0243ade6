"""The page cache inside Django (passerelle/pagecache.py): an anonymous reader's second visit
costs no query; a change is visible at once; a signed-in person never gets a cached page, nor
anyone else's; messages, CSRF tokens and personal data never reach a cached copy."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import roles
from passerelle import pagecache
from tests import factories

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def world(site_tree):
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail")
    practice = factories.make_practice(guide, title="Accéder au VPN")
    return {"tree": site_tree, "guide": guide, "practice": practice}


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@pytest.mark.django_db
def test_an_anonymous_reader_gets_the_same_page_again_without_a_query(world):
    client = Client()
    for url in ("/", world["practice"].url, "/actualites/"):
        first, _ = get(client, url)
        second, count = get(client, url)
        assert first.status_code == second.status_code == 200
        assert first["X-Page-Cache"] == "miss"
        assert second["X-Page-Cache"] == "hit"
        assert count == 0, url
        assert second.content == first.content
        assert second["Cache-Control"] == first["Cache-Control"]
        assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert not second.cookies
    assert not client.cookies


@pytest.mark.django_db
def test_a_published_correction_is_visible_at_once(world):
    client = Client()
    practice = world["practice"]
    for url in (practice.url, world["guide"].url):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    practice.title = "Accéder au VPN (corrigé)"
    practice.save_revision().publish()
    for url in (practice.url, world["guide"].url):
        response = client.get(url)
        assert "Accéder au VPN (corrigé)" in response.content.decode(), url
    # Unpublished: gone at once, not served from the cache.
    practice.unpublish()
    assert client.get(practice.url).status_code == 404
    assert "Accéder au VPN" not in client.get(world["guide"].url).content.decode()


@pytest.mark.django_db
def test_an_urgent_notice_reaches_the_cached_banner_at_once(world):
    from notices.models import NoticePage

    client = Client()
    client.get("/")
    client.get(world["practice"].url)
    assert client.get("/")["X-Page-Cache"] == "hit"
    notice = factories.make_notice(
        world["tree"].notices,
        title="Faille critique à corriger",
        priority=NoticePage.Priority.URGENT,
        impact="Mettre à jour avant ce soir.",
        original_published_at=datetime.date.today(),
    )
    for url in ("/", world["practice"].url):
        assert "Faille critique à corriger" in client.get(url).content.decode(), url
    notice.unpublish()
    for url in ("/", world["practice"].url):
        assert "Faille critique à corriger" not in client.get(url).content.decode(), url


@pytest.mark.django_db
def test_a_forum_write_renews_the_home_page(world):
    client = Client()
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    _domain, forum = factories.make_domain_with_forum("Réseaux")
    author = factories.make_user(roles.STAFF)
    factories.make_topic(forum, author, subject="Renouveler les certificats")
    assert client.get("/")["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_a_signed_in_person_never_gets_a_cached_page_nor_leaves_one(world, client_for):
    camille = factories.make_user(roles.STAFF, first_name="Camille", last_name="Martin")
    dominique = factories.make_user(roles.STAFF, first_name="Dominique", last_name="Petit")
    url = world["practice"].url
    # Signed in first: the page with Camille's name is not kept for anyone.
    signed_in = client_for(camille)
    for _ in range(2):
        response = signed_in.get(url)
        assert "Camille Martin" in response.content.decode()
        assert "X-Page-Cache" not in response
        assert response["Cache-Control"] == "private, no-store"
    anonymous = Client()
    assert "Camille Martin" not in anonymous.get(url).content.decode()
    assert anonymous.get(url)["X-Page-Cache"] == "hit"
    # The anonymous copy is cached now: signed-in people still get their own page.
    for person, name in ((camille, "Camille Martin"), (dominique, "Dominique Petit")):
        response = client_for(person).get(url)
        assert "X-Page-Cache" not in response
        assert name in response.content.decode()
        assert "Se déconnecter" in response.content.decode()
    assert "Dominique Petit" not in anonymous.get(url).content.decode()
    assert "Se connecter" in anonymous.get(url).content.decode()


@pytest.mark.django_db
def test_a_request_with_a_session_or_a_message_is_never_served_from_the_cache(world):
    url = world["practice"].url
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    for cookie in ("sessionid", "messages", "passerelle_saml"):
        client = Client()
        client.cookies[cookie] = "quelque-chose"
        assert "X-Page-Cache" not in client.get(url), cookie
    # A CSRF cookie alone changes nothing to a public page: it may be served the shared copy.
    client = Client()
    client.cookies["csrftoken"] = "x" * 32
    assert client.get(url)["X-Page-Cache"] == "hit"
    response = Client().get(url, HTTP_AUTHORIZATION="Basic eDp5")
    assert "X-Page-Cache" not in response


@pytest.mark.django_db
def test_a_message_shown_once_is_never_kept_in_a_cached_copy(world):
    """A person who sent feedback sees « merci » once; the next reader sees no message."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    url = world["practice"].url
    request = HttpRequest()
    storage = CookieStorage(request)
    response = Client().get("/")  # any response to encode the cookie into
    storage.add(25, "Merci pour votre avis, message personnel")
    storage.update(response)
    person = Client()
    person.cookies["messages"] = response.cookies["messages"].value
    seen = person.get(url)
    assert "Merci pour votre avis, message personnel" in seen.content.decode()
    assert "X-Page-Cache" not in seen
    for _ in range(2):
        other = Client().get(url)
        assert "Merci pour votre avis" not in other.content.decode()


@pytest.mark.django_db
def test_a_response_that_sets_a_cookie_is_not_kept(world, settings):
    """The sign-in page gives a CSRF cookie: it is neither public nor kept."""
    client = Client()
    for _ in range(2):
        response = client.get("/compte/connexion/")
        assert "X-Page-Cache" not in response
    # A public page carries no CSRF token in its cached copy.
    Client().get(world["practice"].url)
    cached = Client().get(world["practice"].url)
    assert cached["X-Page-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in cached.content.decode()


@pytest.mark.django_db
def test_switched_off_nothing_is_kept(world, settings):
    settings.PASSERELLE_PAGE_CACHE = False
    Client().get("/")
    response, count = get(Client(), "/")
    assert "X-Page-Cache" not in response
    assert count > 0


@pytest.mark.django_db
def test_the_generation_replaced_by_another_process_is_seen_here(world):
    """Several workers of one machine share the token (a file, or Redis): a publish in another
    process renews this process's pages."""
    url = world["practice"].url
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONPATH=str(ROOT))
    # With Redis the token is a key of the default cache, whose prefix the test settings make
    # per process: the other process is given this one's.
    code = (
        "import sys, django; django.setup(); from django.core.cache import caches; "
        "caches['default'].key_prefix = sys.argv[1]; "
        "from passerelle import pagecache; pagecache.reset()"
    )
    prefix = caches["default"].key_prefix
    subprocess.run([sys.executable, "-c", code, prefix], env=env, cwd=ROOT, check=True, timeout=120)
    assert Client().get(url)["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_a_change_waits_for_its_commit_before_the_last_renewal(world):
    """The token is renewed when the write happens and again at commit, so that a page rendered
    from the old data in between is not kept under the new token."""
    before = pagecache.generation()
    world["practice"].save_revision().publish()
    during = pagecache.generation()
    assert during != before
    queued = [entry[1] for entry in connection.run_on_commit]
    assert queued.count(pagecache._after_commit) == 1  # once per transaction, however many writes
    pagecache._after_commit()
    assert pagecache.generation() != during


@pytest.mark.django_db
def test_a_write_goes_through_when_the_token_cannot_be_renewed(world, settings, caplog):
    """Redis down while an editor saves: the write is kept, the failure is logged."""
    from tests.cache.test_varnish import free_port

    settings.PASSERELLE_CACHE_GENERATION_FILE = ""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    # (Wagtail's own publish reads the same cache for its site root paths, so a snippet stands
    # for the writes that only the page cache's token touches.)
    from kb.models import Domain

    with transaction.atomic():
        domain = factories.DomainFactory(name="Achats publics")
    assert Domain.objects.get(pk=domain.pk).name == "Achats publics"
    assert "Page cache token not renewed" in caplog.text
