"""The forum's RSS feeds: titles as plain text escaped once, descriptions through the sanitizer,
private forums' topics only for their readers."""

import pytest
from defusedxml import ElementTree as ET

from tests import factories
from tests.forum.world import Post, build_world

TITLE = "Retour d'expérience : VPN & <télétravail>"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    world = build_world()
    factories.make_topic(world.rh_forum, world.staff_b, subject=TITLE, content="Bonjour")
    return world


def items(response):
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [(item.findtext("title"), item.findtext("description")) for item in root.iter("item")]


@pytest.mark.parametrize(
    "url",
    ["/forum/feeds/topics/", "rh-{pk}/topics/", "rh-{pk}/topics/all/"],
)
def test_titles_are_plain_text_escaped_once(client_for, world, url):
    if "{pk}" in url:
        url = "/forum/feeds/forum/" + url.format(pk=world.rh_forum.pk)
    response = client_for(None).get(url)
    titles = [title for title, _d in items(response)]
    # What a feed reader shows once it has parsed the XML: the title as written.
    assert f"Forum RH • {TITLE}" in titles
    raw = response.content.decode()
    assert "&amp;#x27;" not in raw and "&#x27;" not in raw
    assert "Retour d'expérience : VPN &amp; &lt;télétravail&gt;" in raw


def test_descriptions_go_through_the_sanitizer(client_for, world):
    topic = factories.make_topic(world.rh_forum, world.staff_b, subject="Piège", content="x")
    post = topic.last_post
    # Even HTML stored unsafely (an old rendering, a bulk import) leaves sanitized.
    Post.objects.filter(pk=post.pk).update(
        _content_rendered='<p>ok</p><img src=x onerror="alert(1)"><script>alert(2)</script>'
    )
    descriptions = dict(items(client_for(None).get("/forum/feeds/topics/")))
    description = descriptions["Forum RH • Piège"]
    assert "<p>ok</p>" in description
    assert "onerror" not in description and "<script" not in description
    assert "Publié par" in description


@pytest.mark.parametrize("role", ["anonymous", "staff_b", "staff_a"])
def test_private_topics_only_in_their_readers_feeds(client_for, world, role):
    user = None if role == "anonymous" else getattr(world, role)
    client = client_for(user)
    feeds = [
        "/forum/feeds/topics/",
        f"/forum/feeds/forum/x-{world.private_category.pk}/topics/all/",
        f"/forum/feeds/forum/x-{world.private_forum.pk}/topics/",
    ]
    general = client.get(feeds[0]).content.decode()
    assert ("Incident confidentiel XZ" in general) is (role == "staff_a")
    for url in feeds[1:]:
        response = client.get(url)
        if role == "staff_a":
            assert "Incident confidentiel XZ" in response.content.decode()
        else:
            assert response.status_code == 404
            assert "RSSI" not in response.content.decode()
