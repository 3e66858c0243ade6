"""A real varnishd (Debian's package) in front of a live server of the test, on ephemeral ports:
a publish or a reply is visible to the next anonymous reader; signed-in people are never served
from the cache, never someone else's page; purges never fail a request when Varnish is down."""

import re
import time

import pytest
import requests
from django.test import Client

from accounts import roles
from tests import factories
from tests.cache.varnish import running_varnish
from tests.ops.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def varnish(live_server, settings):
    backend = re.match(r"http://([^:]+):(\d+)", live_server.url)
    # One backend, no health probe (tests/cache/varnish.py says why; test_two_servers has it).
    with running_varnish([(backend.group(1), backend.group(2))], probe=False) as url:
        settings.WAGTAILFRONTENDCACHE = {
            "varnish": {"BACKEND": "passerelle.frontcache.purge.VarnishBackend", "LOCATION": url}
        }
        yield url


@pytest.fixture
def world():
    from kb.structure import ensure_site_structure

    tree = ensure_site_structure()
    guide = factories.make_guide(tree.guides, title="Guide du télétravail")
    practice = factories.make_practice(guide, title="Accéder au VPN")
    _domain, forum = factories.make_domain_with_forum("Télétravail")
    camille = factories.make_user(roles.STAFF, first_name="Camille", last_name="Martin")
    yanis = factories.make_user(roles.STAFF, first_name="Yanis", last_name="Benali")
    topic = factories.make_topic(forum, camille, subject="Dimensionner le VPN")
    topic_url = f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/"
    return {"practice": practice, "topic": topic, "topic_url": topic_url, "users": (camille, yanis)}


def get(url, **kwargs):
    return requests.get(url, timeout=10, allow_redirects=False, **kwargs)


def wait_for(url, text, timeout=2.0):
    """Seconds until ``text`` shows on ``url`` for an anonymous reader (fails past timeout)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if text in get(url).text:
            return time.monotonic() - start
        time.sleep(0.05)
    pytest.fail(f"{text!r} not visible on {url} after {timeout} s")


def test_publishing_a_change_is_visible_to_the_next_anonymous_reader(varnish, world):
    practice = world["practice"]
    url = varnish + practice.url
    first = get(url)
    assert first.status_code == 200 and first.headers["X-Cache"] == "MISS"
    assert "Set-Cookie" not in first.headers and "X-Cache-Tags" not in first.headers
    second = get(url, cookies={"csrftoken": "a" * 32, "_ga": "GA1.1.1"})
    assert second.headers["X-Cache"] == "HIT"  # stray cookies do not keep anyone out of the cache
    listing = get(varnish + "/guides/")
    assert get(varnish + "/guides/").headers["X-Cache"] == "HIT"
    assert "Accéder au VPN" in get(varnish + practice.get_parent().url).text

    practice.title = "Accéder au SI par le VPN"
    practice.save_revision().publish()
    assert wait_for(url, "Accéder au SI par le VPN") < 2
    # The guide listing its chapters was banned too.
    assert "Accéder au SI par le VPN" in get(varnish + practice.get_parent().url).text
    assert listing.status_code == 200

    practice.unpublish()
    start = time.monotonic()
    while get(url).status_code != 404:
        assert time.monotonic() - start < 2, "unpublished page still served"
        time.sleep(0.05)


def test_a_reply_is_visible_on_the_topic_and_the_forum_index(varnish, world):
    from machina.core.db.models import get_model

    Post = get_model("forum_conversation", "Post")

    topic, (camille, _yanis) = world["topic"], world["users"]
    url = varnish + world["topic_url"]
    get(url)
    assert get(url).headers["X-Cache"] == "HIT"
    get(varnish + "/forum/")
    Post.objects.create(topic=topic, poster=camille, subject="Re", content="Réponse toute fraîche")
    assert wait_for(url, "Réponse toute fraîche") < 2


def test_signed_in_people_are_never_served_from_the_cache(varnish, world):
    camille, yanis = world["users"]
    url = varnish + world["practice"].url
    get(url)
    get(url)  # cached for anonymous readers
    for user, name, other in ((camille, "Camille Martin", "Yanis Benali"),
                              (yanis, "Yanis Benali", "Camille Martin")):  # fmt: skip
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        for _ in range(2):
            response = get(url, cookies={"sessionid": session})
            assert response.headers["X-Cache"] != "HIT"
            assert response.headers["Cache-Control"] == "private, no-store"
            assert name in response.text and other not in response.text
    assert "Camille Martin" not in get(url).text


def test_purge_and_ban_only_from_allowed_addresses(varnish, world):
    through_proxy = {"X-Forwarded-For": "203.0.113.9"}
    assert (
        requests.request("PURGE", varnish + "/", headers=through_proxy, timeout=5).status_code
        == 403
    )
    assert (
        requests.request(
            "BAN", varnish + "/", headers={**through_proxy, "X-Ban-Tags": "."}, timeout=5
        ).status_code
        == 403
    )
    assert requests.request("BAN", varnish + "/", headers={"X-Ban-Tags": "."}, timeout=5).ok


def test_varnish_down_never_fails_the_request(world, settings, caplog):
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "passerelle.frontcache.purge.VarnishBackend",
            "LOCATION": f"http://127.0.0.1:{free_port()}",
        }
    }
    practice = world["practice"]
    practice.title = "Titre corrigé"
    practice.save_revision().publish()
    assert "Titre corrigé" in Client().get(practice.url).content.decode()
    assert any("Front cache" in record.getMessage() for record in caplog.records)


def test_moving_a_topic_refreshes_both_forums(varnish, world):
    topic = world["topic"]
    old_forum = topic.forum
    new_forum = factories.make_domain_with_forum("Sécurité")[1]
    old_url = f"{varnish}/forum/forum/{old_forum.slug}-{old_forum.pk}/"
    new_url = f"{varnish}/forum/forum/{new_forum.slug}-{new_forum.pk}/"
    for url in (old_url, new_url, old_url, new_url):
        get(url)
    assert "Dimensionner le VPN" in get(old_url).text
    assert "Dimensionner le VPN" not in get(new_url).text
    topic.forum = new_forum
    topic.save()
    assert wait_for(new_url, "Dimensionner le VPN") < 2
    assert "Dimensionner le VPN" not in get(old_url).text


def test_an_urgent_notice_reaches_the_banner_of_every_cached_page(varnish, world):
    from kb.structure import ensure_site_structure
    from notices.models import NoticePage

    url = varnish + world["practice"].url
    get(url)
    assert get(url).headers["X-Cache"] == "HIT"
    factories.make_notice(
        ensure_site_structure().notices,
        title="Faille critique des passerelles VPN",
        priority=NoticePage.Priority.URGENT,
        impact="Mettre à jour.",
    )
    assert wait_for(url, "Faille critique des passerelles VPN") < 2
