"""A reply counts itself in two UPDATEs (``forum.forum_conversation.models.Post``): the topic's
and the forum's counters, last post and dates are those machina's full recount finds, on the
forum index, the forum page and the topic, for every kind of write around it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.forum.world import Forum, Post, Topic, build_world, forum_url, reply, topic_url


@pytest.fixture
def world(db):
    return build_world()


def trackers(topic):
    """What the topic and its forum say of themselves, as stored."""
    topic = Topic.objects.get(pk=topic.pk)
    forum = Forum.objects.get(pk=topic.forum_id)
    return (
        topic.posts_count,
        topic.first_post_id,
        topic.last_post_id,
        topic.last_post_on,
        forum.direct_topics_count,
        forum.direct_posts_count,
        forum.last_post_id,
        forum.last_post_on,
    )


def recounted(topic):
    """The same, after machina's own recount from the posts (``Topic.update_trackers``)."""
    topic = Topic.objects.get(pk=topic.pk)
    topic.update_trackers()
    return trackers(topic)


def test_a_reply_through_the_form_counts_as_machina_would(client_for, world):
    topic = world.public_topic
    before = trackers(topic)
    response = reply(
        client_for(world.staff_a), topic, "Nous passons par le VPN de l'établissement."
    )
    assert response.status_code == 302
    after = trackers(topic)
    new = Post.objects.get(content="Nous passons par le VPN de l'établissement.")
    assert after[0] == before[0] + 1 and after[5] == before[5] + 1
    assert after[2] == after[6] == new.pk
    assert after[3] == after[7] == new.created
    assert after == recounted(topic)


def test_the_reply_count_shows_on_the_index_the_forum_and_the_topic(client_for, world):
    topic = world.public_topic
    reader = client_for(world.staff_b)
    for text in ("Première précision du jour.", "Deuxième précision du jour."):
        reply(client_for(world.staff_a), topic, text)
    topic.refresh_from_db()
    assert topic.posts_count == 4  # the question, the reply of the fixture and these two
    page = reader.get(topic_url(topic)).content.decode()
    assert "Deuxième précision du jour." in page
    listing = reader.get(forum_url(topic.forum)).content.decode()
    assert topic.subject in listing
    index = reader.get("/forum/").content.decode()
    assert topic.forum.name in index
    # The same figures as machina's recount, which the pages above were built from.
    assert trackers(topic) == recounted(topic)


def test_a_reply_crossing_another_is_counted_once_each(world):
    """Two people answer the same topic at once: each request holds the topic as it was before
    the other's reply; the database counts both (``F() + 1``), not twice the same total."""
    camille, yanis = world.staff_a, world.staff_b
    seen_by_camille = Topic.objects.select_related("forum").get(pk=world.public_topic.pk)
    seen_by_yanis = Topic.objects.select_related("forum").get(pk=world.public_topic.pk)
    count = seen_by_camille.posts_count
    Post.objects.create(topic=seen_by_yanis, poster=yanis, subject="Re", content="Yanis répond")
    Post.objects.create(topic=seen_by_camille, poster=camille, subject="Re", content="Camille")
    stored = trackers(world.public_topic)
    assert stored[0] == count + 2
    assert stored[2] == Post.objects.get(content="Camille").pk
    assert stored == recounted(world.public_topic)


def test_every_other_write_keeps_the_full_recount(world):
    """A first post, a held reply, its approval, an edit and a deletion: the counters stay
    machina's after each."""
    forum = world.rh_forum
    topic = factories.make_topic(forum, world.staff_b, subject="Télétravail et astreintes")
    assert trackers(topic) == recounted(topic)
    held = Post.objects.create(
        topic=topic, poster=world.staff_a, subject="Re", content="En attente", approved=False
    )
    assert trackers(topic)[0] == 1  # a held reply is not counted
    assert trackers(topic) == recounted(topic)
    held.approved = True
    held.save()
    assert trackers(topic)[0] == 2 and trackers(topic)[2] == held.pk
    assert trackers(topic) == recounted(topic)
    held.content = "Approuvée puis corrigée"
    held.save()
    assert trackers(topic) == recounted(topic)
    held.delete()
    assert trackers(topic)[0] == 1 and trackers(topic)[2] == topic.first_post_id
    assert trackers(topic) == recounted(topic)


def test_a_reply_in_a_topic_held_for_approval_is_not_counted_in_the_forum(world):
    forum = world.rh_forum
    topic = factories.make_topic(forum, world.staff_b, subject="Sujet en attente")
    Topic.objects.filter(pk=topic.pk).update(approved=False)
    topic.refresh_from_db()
    topic.update_trackers()
    forum_posts = trackers(topic)[5]
    Post.objects.create(topic=topic, poster=world.staff_a, subject="Re", content="Réponse")
    assert trackers(topic)[5] == forum_posts
    assert trackers(topic) == recounted(topic)


def test_a_reply_runs_no_recount(client_for, world):
    """The counters of a reply cost two UPDATEs, not machina's eleven queries (the topic's three
    recounts and the forum's five, the first post, two comparisons of the search receivers)."""
    topic = world.public_topic
    author = client_for(world.staff_a)
    reply(author, topic, "Échauffement des caches.")
    with CaptureQueriesContext(connection) as queries:
        assert reply(author, topic, "Une réponse mesurée.").status_code == 302
    statements = [q["sql"] for q in queries.captured_queries]
    recounts = [s for s in statements if "COUNT(" in s or "SUM(" in s]
    assert recounts == [], recounts
    topic_table = Topic._meta.db_table
    forum_table = Forum._meta.db_table
    updates = [s for s in statements if s.startswith("UPDATE")]
    assert sum(f'UPDATE "{topic_table}"' in s for s in updates) == 1
    assert sum(f'UPDATE "{forum_table}"' in s for s in updates) == 1
