"""Topic views, counted in the cache and moved to the database without losing any.

machina's receiver wrote ``views_count`` on every read. Here a read, anonymous or signed in
(``count_view``; a signed-in reader's read tracking is written by ``TrackingHandler``, only
when the topic has something new for them), writes nothing to the database: it increments a
counter in the ``forum_views`` cache (``incr``, atomic in local memory and in Redis; a cache of
its own, so that no other entry pushes a pending count out). The pending count is moved to
``Topic.views_count`` (one ``F()`` update) when it reaches ``BATCH``, when a read finds it
older than ``FLUSH_INTERVAL`` seconds, when the process exits, and by ``python manage.py
flush_topic_views`` (cron; with Redis it reaches every worker's counts, with the local-memory
cache only its own process's, the workers' being moved by reads and at exit).

Moving a count is "take n, subtract n from the counter, add n to the topic": the counter may go
below zero when two flushes race, but the sum ``views_count + counter`` is always the number of
reads, so nothing is lost or counted twice.
"""

import contextlib
import logging
import time

from django.core.cache import caches
from django.db.models import F
from machina.core.db.models import get_model

Topic = get_model("forum_conversation", "Topic")
logger = logging.getLogger(__name__)

BATCH = 20
FLUSH_INTERVAL = 300  # seconds

# Topics this process counted views of since it last moved them: flushed when the process exits
# (a local-memory cache dies with its process; gunicorn workers exit cleanly on a restart).
_counted_here = set()


def _cache():
    return caches["forum_views"]


def _count_key(topic_id):
    return f"forum:anonymous-views:{topic_id}"


def _since_key(topic_id):
    return f"forum:anonymous-views-since:{topic_id}"


def _incr(key):
    try:
        return _cache().incr(key)
    except ValueError:
        # First pending view (or the key was evicted): create it without overwriting a
        # concurrent creation, then count.
        _cache().add(key, 0, timeout=None)
        return _cache().incr(key)


def count_anonymous_view(topic_id, now=None):
    """Count one anonymous read of a topic; no database write unless a flush is due."""
    now = time.time() if now is None else now
    count = _incr(_count_key(topic_id))
    _counted_here.add(topic_id)
    if count == 1:
        _cache().set(_since_key(topic_id), now, timeout=None)
        return
    if count >= BATCH:
        flush(topic_id, now)
        return
    since = _cache().get(_since_key(topic_id))
    if since is None or now - since >= FLUSH_INTERVAL:
        flush(topic_id, now)


count_view = count_anonymous_view


def pending(topic_id):
    return _cache().get(_count_key(topic_id)) or 0


def flush(topic_id, now=None):
    """Move the topic's pending anonymous views to the database; returns how many were moved."""
    _counted_here.discard(topic_id)
    count = _cache().get(_count_key(topic_id)) or 0
    if count <= 0:
        return 0
    # If the key was evicted meanwhile, the count read above is still owed to the topic.
    with contextlib.suppress(ValueError):
        _cache().decr(_count_key(topic_id), count)
    _cache().set(_since_key(topic_id), time.time() if now is None else now, timeout=None)
    Topic.objects.filter(pk=topic_id).update(views_count=F("views_count") + count)
    return count


def flush_all(chunk=500):
    """Flush every topic's pending views (the cron command); returns the number of views moved."""
    moved = 0
    ids = list(Topic.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        counts = _cache().get_many([_count_key(pk) for pk in part])
        for pk in part:
            if counts.get(_count_key(pk), 0) > 0:
                moved += flush(pk)
    return moved


def flush_counted_here():
    """Move the views this process counted and has not moved yet (``config/wsgi.py``, at exit)."""
    for topic_id in list(_counted_here):
        try:
            flush(topic_id)
        except Exception:  # at exit, the database may already be gone
            logger.exception("Anonymous views of topic %s not moved at exit", topic_id)
