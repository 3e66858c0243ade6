"""Anonymous topic views, counted in the cache and moved to the database without losing any.

A signed-in reader's view goes through machina (its receiver writes ``views_count`` and read
tracking). An anonymous read writes nothing to the database: it increments a counter in the
cache (``cache.incr``, atomic in local memory and in Redis). The pending count is moved to
``Topic.views_count`` (one ``F()`` update) when it reaches ``BATCH``, when a read finds it older
than ``FLUSH_INTERVAL`` seconds, and by ``python manage.py flush_topic_views`` (cron).

Moving a count is "take n, subtract n from the counter, add n to the topic": the counter may go
below zero when two flushes race, but the sum ``views_count + counter`` is always the number of
reads, so nothing is lost or counted twice.
"""

import contextlib
import time

from django.core.cache import cache
from django.db.models import F
from machina.core.db.models import get_model

Topic = get_model("forum_conversation", "Topic")

BATCH = 20
FLUSH_INTERVAL = 300  # seconds


def _count_key(topic_id):
    return f"forum:anonymous-views:{topic_id}"


def _since_key(topic_id):
    return f"forum:anonymous-views-since:{topic_id}"


def _incr(key):
    try:
        return cache.incr(key)
    except ValueError:
        # First pending view (or the key was evicted): create it without overwriting a
        # concurrent creation, then count.
        cache.add(key, 0, timeout=None)
        return cache.incr(key)


def count_anonymous_view(topic_id, now=None):
    """Count one anonymous read of a topic; no database write unless a flush is due."""
    now = time.time() if now is None else now
    count = _incr(_count_key(topic_id))
    if count == 1:
        cache.set(_since_key(topic_id), now, timeout=None)
        return
    if count >= BATCH:
        flush(topic_id, now)
        return
    since = cache.get(_since_key(topic_id))
    if since is None or now - since >= FLUSH_INTERVAL:
        flush(topic_id, now)


def pending(topic_id):
    return cache.get(_count_key(topic_id)) or 0


def flush(topic_id, now=None):
    """Move the topic's pending anonymous views to the database; returns how many were moved."""
    count = cache.get(_count_key(topic_id)) or 0
    if count <= 0:
        return 0
    # If the key was evicted meanwhile, the count read above is still owed to the topic.
    with contextlib.suppress(ValueError):
        cache.decr(_count_key(topic_id), count)
    cache.set(_since_key(topic_id), time.time() if now is None else now, timeout=None)
    Topic.objects.filter(pk=topic_id).update(views_count=F("views_count") + count)
    return count


def flush_all(chunk=500):
    """Flush every topic's pending views (the cron command); returns the number of views moved."""
    moved = 0
    ids = list(Topic.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        counts = cache.get_many([_count_key(pk) for pk in part])
        for pk in part:
            if counts.get(_count_key(pk), 0) > 0:
                moved += flush(pk)
    return moved
