"""Anonymous topic views: counted in the cache, moved to the database in batches, none lost."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from forum.community import topic_views
from tests import factories
from tests.forum.world import Topic, topic_url


@pytest.fixture
def topic(db):
    author = factories.make_user("Personnel d'établissement", factories.EstablishmentFactory())
    _category, forum = factories.make_category_with_forum("Cat vues", "Forum vues")
    topic = factories.make_topic(forum, author, subject="Sujet lu", replies=2)
    topic_views._cache().delete_many(
        [topic_views._count_key(topic.pk), topic_views._since_key(topic.pk)]
    )
    return topic


def writes(ctx):
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


@pytest.mark.parametrize("reads", [1, 19, 20, 21, 57])
def test_n_anonymous_reads_give_exactly_n_views_after_a_flush(client, topic, reads):
    before = Topic.objects.get(pk=topic.pk).views_count
    for _ in range(reads):
        assert client.get(topic_url(topic)).status_code == 200
    call_command("flush_topic_views", verbosity=0)
    assert Topic.objects.get(pk=topic.pk).views_count == before + reads
    assert topic_views.pending(topic.pk) == 0
    # A second flush moves nothing more.
    call_command("flush_topic_views", verbosity=0)
    assert Topic.objects.get(pk=topic.pk).views_count == before + reads


def test_a_full_batch_reaches_the_database_without_the_command(client, topic):
    before = Topic.objects.get(pk=topic.pk).views_count
    for _ in range(topic_views.BATCH):
        client.get(topic_url(topic))
    assert Topic.objects.get(pk=topic.pk).views_count == before + topic_views.BATCH
    assert topic_views.pending(topic.pk) == 0


def test_a_read_between_batches_writes_nothing(client, topic):
    client.get(topic_url(topic))
    with CaptureQueriesContext(connection) as ctx:
        client.get(topic_url(topic))
    assert writes(ctx) == []
    assert topic_views.pending(topic.pk) == 2


def test_old_pending_views_are_moved_by_the_next_read(topic):
    before = Topic.objects.get(pk=topic.pk).views_count
    topic_views.count_anonymous_view(topic.pk, now=1000.0)
    topic_views.count_anonymous_view(topic.pk, now=1001.0)
    assert Topic.objects.get(pk=topic.pk).views_count == before
    topic_views.count_anonymous_view(topic.pk, now=1000.0 + topic_views.FLUSH_INTERVAL)
    assert Topic.objects.get(pk=topic.pk).views_count == before + 3
    assert topic_views.pending(topic.pk) == 0


def test_racing_flushes_neither_lose_nor_double_count(topic):
    before = Topic.objects.get(pk=topic.pk).views_count
    for _ in range(5):
        topic_views.count_anonymous_view(topic.pk, now=1000.0)
    # Two workers read the same pending count before either subtracts it.
    counters = topic_views._cache()
    key = topic_views._count_key(topic.pk)
    seen = counters.get(key)
    for _worker in range(2):
        counters.decr(key, seen)
        Topic.objects.filter(pk=topic.pk).update(views_count=F("views_count") + seen)
    # The counter went below zero; the sum is still the number of reads.
    total = Topic.objects.get(pk=topic.pk).views_count + counters.get(key)
    assert total == before + 5
    for _ in range(7):
        topic_views.count_anonymous_view(topic.pk, now=1000.0)
    topic_views.flush_all()
    assert Topic.objects.get(pk=topic.pk).views_count + topic_views.pending(topic.pk) == before + 12


def test_signed_in_reads_are_counted_in_batches_too(client_for, topic):
    reader = factories.make_user("Personnel d'établissement", factories.EstablishmentFactory())
    before = Topic.objects.get(pk=topic.pk).views_count
    client = client_for(reader)
    client.get(topic_url(topic))
    assert Topic.objects.get(pk=topic.pk).views_count + topic_views.pending(topic.pk) == before + 1
    for _ in range(topic_views.BATCH - 1):
        client.get(topic_url(topic))
    assert Topic.objects.get(pk=topic.pk).views_count == before + topic_views.BATCH


def test_a_worker_moves_its_pending_views_when_it_exits(client, topic):
    before = Topic.objects.get(pk=topic.pk).views_count
    for _ in range(3):
        client.get(topic_url(topic))
    assert Topic.objects.get(pk=topic.pk).views_count == before
    topic_views.flush_counted_here()  # registered with atexit by config/wsgi.py
    assert Topic.objects.get(pk=topic.pk).views_count == before + 3
    assert topic_views.pending(topic.pk) == 0


def test_pending_views_live_in_a_cache_of_their_own(client, topic):
    from django.core.cache import cache, caches
    from django.core.cache.backends.locmem import LocMemCache

    client.get(topic_url(topic))
    assert caches["forum_views"].get(topic_views._count_key(topic.pk)) == 1
    assert cache.get(topic_views._count_key(topic.pk)) is None
    # A full local-memory cache drops entries: filling the default and the HTML caches past
    # their limits leaves the pending views alone.
    for alias in ("default", "forum_html"):
        other = caches[alias]
        if isinstance(other, LocMemCache):
            other.set_many({f"remplissage-{i}": i for i in range(other._max_entries + 10)})
    assert topic_views.pending(topic.pk) == 1
