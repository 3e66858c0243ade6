"""Each post's controls are the reader's own, though their HTML is shared between readers who get
the same answers (forum/forum_conversation/post_cache.py), and each page carries its reader's
CSRF token."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.forum.world import build_world, topic_url


@pytest.fixture
def world(db):
    return build_world()


def controls(client, url):
    html = client.get(url).content.decode()
    return {
        "edit": html.count(">Modifier<span"),
        "report": html.count("post-report"),
        "solution": html.count("mark-solution"),
        "hide": html.count("hide-post"),
        "delete": html.count(">Supprimer<span"),
    }


def test_every_reader_gets_their_own_controls_whoever_came_first(client_for, world):
    topic = world.public_topic  # two posts by staff_b
    factories.Post.objects.create(topic=topic, poster=world.staff_a, subject="Re", content="Moi")
    url = topic_url(topic)
    expected = {
        # The forum's officer: edits, hides and deletes every post; reports the others' posts;
        # may mark either reply as the solution.
        world.officer_rh: {"edit": 3, "report": 3, "solution": 2, "hide": 3, "delete": 3},
        # The topic's author: their own two posts (edit, delete), reports the third, marks replies.
        world.staff_b: {"edit": 2, "report": 1, "solution": 2, "hide": 0, "delete": 2},
        # Another member: their own reply only; reports the two others.
        world.staff_a: {"edit": 1, "report": 2, "solution": 0, "hide": 0, "delete": 1},
        None: {"edit": 0, "report": 0, "solution": 0, "hide": 0, "delete": 0},
    }
    for order in (list(expected), list(reversed(expected))):
        for reader in order:
            assert controls(client_for(reader), url) == expected[reader], reader


def test_shared_controls_carry_each_readers_own_csrf_token(world):
    topic = world.public_topic
    url = topic_url(topic)
    first = Client(enforce_csrf_checks=True)
    first.force_login(world.officer_rh)
    first.get(url)  # renders the officer's controls into the shared cache
    second = Client(enforce_csrf_checks=True)
    second.force_login(world.officer_rh)
    html = second.get(url).content.decode()
    reply = topic.posts.order_by("created").last()
    action = reverse("forum_community:hide_post", args=[reply.pk])
    form = re.search(rf'action="{re.escape(action)}".*?</form>', html, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert "PLACEHOLDER" not in html
    response = second.post(action, {"csrfmiddlewaretoken": token, "note": "Hors sujet"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert not reply.approved
