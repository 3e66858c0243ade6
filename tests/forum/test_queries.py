"""The forum index, a forum page and a topic page run a number of queries that does not grow
with the number of forums, topics or posts (10 against 200)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.forum.world import Forum, Post, Topic, forum_url, topic_url


def count_queries(client, url):
    client.get(url)  # warm caches (permissions, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def build_forums(n, author):
    category = Forum.objects.create(name=f"Catégorie {n}", type=Forum.FORUM_CAT)
    for i in range(n):
        forum = Forum.objects.create(name=f"Forum {n}-{i}", type=Forum.FORUM_POST, parent=category)
        factories.make_topic(forum, author, subject=f"Sujet {n}-{i}")
    return category


def build_topics(n, author):
    _category, forum = factories.make_category_with_forum(f"Cat {n}", f"Forum {n}")
    for i in range(n):
        topic = Topic.objects.create(
            forum=forum,
            poster=author,
            subject=f"S{i}",
            type=Topic.TOPIC_POST,
            status=Topic.TOPIC_UNLOCKED,
            approved=True,
        )
        Post.objects.create(topic=topic, poster=author, subject=f"S{i}", content="x")
    return forum


def build_posts(n, authors):
    _category, forum = factories.make_category_with_forum(f"Cat p{n}", f"Forum p{n}")
    topic = factories.make_topic(forum, authors[0], subject=f"Long {n}")
    for i in range(n - 1):
        Post.objects.create(
            topic=topic, poster=authors[i % len(authors)], subject="Re", content=f"R{i}"
        )
    topic.refresh_from_db()
    return topic


@pytest.fixture
def people(db):
    return [
        factories.make_user("Personnel d'établissement", factories.EstablishmentFactory())
        for _ in range(3)
    ]


@pytest.mark.parametrize("who", ["anonymous", "anonymous-rendered", "member"])
def test_index_queries_do_not_grow_with_forums(client_for, people, who):
    client = client_for(None if who.startswith("anonymous") else people[1])
    # An unknown parameter bypasses the anonymous page cache: the page is rendered.
    url = "/forum/?rendu=1" if who == "anonymous-rendered" else "/forum/"
    build_forums(10, people[0])
    small = count_queries(client, url)
    build_forums(190, people[0])
    assert count_queries(client, url) == small


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_forum_page_queries_do_not_grow_with_topics(client_for, people, who, settings):
    client = client_for(None if who == "anonymous" else people[1])
    small_forum = build_topics(10, people[0])
    big_forum = build_topics(200, people[0])
    from machina.conf import settings as machina_settings

    machina_settings.FORUM_TOPICS_NUMBER_PER_PAGE  # noqa: B018 — page size stays the default
    assert count_queries(client, forum_url(small_forum)) == count_queries(
        client, forum_url(big_forum)
    )


@pytest.mark.parametrize("who", ["anonymous", "anonymous-rendered", "member"])
def test_topic_page_queries_do_not_grow_with_posts(client_for, people, who):
    client = client_for(None if who.startswith("anonymous") else people[1])
    # An unknown parameter bypasses the anonymous page cache: the page is rendered.
    query = "?rendu=1" if who == "anonymous-rendered" else ""
    small = build_posts(10, people)
    big = build_posts(200, people)
    assert count_queries(client, topic_url(small) + query) == count_queries(
        client, topic_url(big) + query
    )


def test_anonymous_topic_reads_do_not_write(client, people):
    topic = build_posts(3, people)
    url = topic_url(topic)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    assert writes == []
    # The views are still counted, in batches.
    for _ in range(40):
        client.get(url)
    topic.refresh_from_db()
    assert topic.views_count >= 40


def test_signed_in_rereads_write_nothing_in_the_forum(client_for, people):
    """A topic already read up to its last post: no view counter or read-tracking write."""
    topic = build_posts(3, people)
    client = client_for(people[1])
    client.get(topic_url(topic))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(topic_url(topic)).status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        and "forum_" in q["sql"]
    ]
    assert writes == []


def test_a_reply_makes_the_topic_unread_again_until_it_is_read(client_for, people):
    from machina.core.db.models import get_model

    TopicReadTrack = get_model("forum_tracking", "TopicReadTrack")
    ForumReadTrack = get_model("forum_tracking", "ForumReadTrack")
    topic = build_posts(3, people)
    reader = people[1]
    client = client_for(reader)

    def read_up_to():
        tracks = TopicReadTrack.objects.filter(topic=topic, user=reader).values_list(
            "mark_time", flat=True
        )
        forums = ForumReadTrack.objects.filter(forum=topic.forum, user=reader).values_list(
            "mark_time", flat=True
        )
        return max([*tracks, *forums], default=None)

    client.get(topic_url(topic))
    topic.refresh_from_db()
    assert read_up_to() >= topic.last_post_on
    Post.objects.create(topic=topic, poster=people[2], subject="Re", content="Nouveau")
    topic.refresh_from_db()
    assert read_up_to() < topic.last_post_on
    unread = client.get("/forum/tracking/unread-topics/").content.decode()
    assert topic.subject in unread
    client.get(topic_url(topic))
    assert read_up_to() >= topic.last_post_on
    assert topic.subject not in client.get("/forum/tracking/unread-topics/").content.decode()


def test_the_cached_forum_list_shows_a_new_post_and_unread_marks_at_once(client_for, people):
    category = build_forums(3, people[0])
    forum = category.get_children().first()
    reader = client_for(people[1])
    html = reader.get("/forum/").content.decode()
    assert "Nouveaux messages" in html
    reader.post("/forum/tracking/mark/forums/")
    assert "Nouveaux messages" not in reader.get("/forum/").content.decode()
    topic = factories.make_topic(forum, people[2], subject="Tout nouveau sujet")
    html = reader.get("/forum/").content.decode()
    assert "Tout nouveau sujet" in html
    assert "Nouveaux messages" in html
    # Another reader, who sees the same forums, sees their own unread marks.
    other = client_for(people[0]).get("/forum/").content.decode()
    assert "Tout nouveau sujet" in other
    assert topic.subject in html
