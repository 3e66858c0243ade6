"""Background tasks: the work a request need not wait for, run by the tasks worker.

Every task here takes plain ids (JSON), is enqueued only once the transaction that caused it has
committed (``enqueue_on_commit``), and is idempotent, because a task whose worker was killed is run
again (``ops.reclaim``): an email already sent is not sent again (the outbox claims each message
before sending it), a search document is rewritten from the database, a fan-out of
notifications uses one ``dedup_key`` per post and person, a feed fetch is conditional.

Tasks enqueued inside a ``batched_tasks()`` block leave together when it commits (one Redis round
trip with RQ, ``ops.rq_backend``; one ``deliver_outbox`` for a whole fan-out of emails).

The backend is chosen by ``PASSERELLE_TASKS_BACKEND`` (settings, "Tasks, health, logs"): the
database and its worker (``manage.py tasks_worker``), RQ on Redis, or "immediate" (inside the
request: the test suite, and the "before" of ``benchmarks/reply_bench.py``).
"""

import contextlib
import contextvars
import logging

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)

# While a ``batched_tasks()`` block runs: the tasks enqueued inside it (each added once its
# transaction has committed), enqueued together when the block's own transaction commits.
_pending_tasks = contextvars.ContextVar("pending_tasks", default=None)


def _enqueue_now(task_function, *args):
    try:
        task_function.enqueue(*args)
    except Exception:
        logger.exception("Could not enqueue %s%r", task_function.name, args)


def enqueue_on_commit(task_function, *args):
    """Enqueue ``task_function(*args)`` once the current transaction commits (at once outside
    one). Enqueuing never fails the request: if the queue is unreachable, the periodic jobs
    (send_outbox, search_check --repair, fetch_notices) catch up, and the error is logged."""
    pending = _pending_tasks.get()
    if pending is not None:
        # A savepoint rolled back drops this callback with the writes it belongs to.
        transaction.on_commit(lambda: pending.append((task_function, args)))
        return
    transaction.on_commit(lambda: _enqueue_now(task_function, *args))


def _merged(calls):
    """The calls to make: every delivery in one ``deliver_outbox``, identical calls once."""
    merged, seen, message_ids = [], set(), []
    for task_function, args in calls:
        if task_function is deliver_outbox:
            if not message_ids:
                merged.append((deliver_outbox, None))
            message_ids.extend(args[0])
            continue
        key = (task_function.module_path, repr(args))
        if key not in seen:
            seen.add(key)
            merged.append((task_function, args))
    return [
        (task_function, (sorted(set(message_ids)),) if args is None else args)
        for task_function, args in merged
    ]


def _enqueue_all(calls):
    """Enqueue ``calls`` in one batch where the backend can (RQ: one Redis round trip)."""
    by_backend = {}
    for task_function, args in calls:
        by_backend.setdefault(task_function.backend, []).append((task_function, args))
    for group in by_backend.values():
        backend = group[0][0].get_backend()
        if not hasattr(backend, "enqueue_many"):
            for task_function, args in group:
                _enqueue_now(task_function, *args)
            continue
        try:
            backend.enqueue_many([(task_function, args, {}) for task_function, args in group])
        except Exception:
            logger.exception("Could not enqueue %s", [(t.name, a) for t, a in group])


@contextlib.contextmanager
def batched_tasks():
    """Collect the tasks enqueued inside the block (once their transactions have committed) and
    enqueue them together after them: a fan-out of 60 emails is one ``deliver_outbox`` task, not
    60, and a reply's tasks (search index, notifications) reach Redis in one round trip. Used
    inside a transaction, the tasks leave when it commits."""
    pending = []
    token = _pending_tasks.set(pending)

    def enqueue_all():
        if pending:
            _enqueue_all(_merged(pending))

    try:
        yield
    finally:
        _pending_tasks.reset(token)
        # Registered after the tasks' own callbacks, so it runs after them.
        transaction.on_commit(enqueue_all)


@task()
def deliver_outbox(message_ids):
    """Send these outbox messages (those still pending and due)."""
    from outbox.delivery import deliver_messages

    sent, failed = deliver_messages(message_ids)
    return {"sent": sent, "failed": failed}


# The search index functions a task may run, by name (a task's arguments are data, never code).
SEARCH_FUNCTIONS = {
    "sync_page",
    "sync_page_and_descendants",
    "sync_post",
    "sync_topic",
    "sync_forum_domains",
}


@task()
def update_search_index(function_name, args):
    """Bring the search documents of one page, post, topic or forum tree up to date."""
    from search import indexing

    if function_name not in SEARCH_FUNCTIONS:
        raise ValueError(f"not a search index function: {function_name}")
    function = getattr(indexing, function_name)
    try:
        with transaction.atomic():
            function(*args)
    except Exception:
        # As before the tasks: logged, never raised; search_check --repair fixes what it missed.
        logger.exception("Search index update failed: %s%r", function_name, args)
        return False
    return True


@task()
def notify_post(post_id):
    """Queue the emails a newly visible forum post causes (mentions, immediate subscriptions)."""
    from machina.core.db.models import get_model

    from forum.community import notifications

    post = get_model("forum_conversation", "Post").objects.filter(pk=post_id).first()
    if post is None:  # deleted in the meantime
        return 0
    with batched_tasks():
        return notifications.queue_post_emails(post)


@task()
def fetch_source_feeds(source_id):
    """Read one source's feeds (the admin's « Relever maintenant »)."""
    from notices.fetcher import fetch_sources
    from notices.models import Source

    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return []
    return [
        {
            "url": result.feed.url,
            "busy": bool(result.busy),
            "ok": bool(result.ok),
            "error": str(result.error or ""),
            "not_modified": bool(result.not_modified),
            "created": result.ingest.created if result.ingest else 0,
            "updated": result.ingest.updated if result.ingest else 0,
        }
        for result in fetch_sources([source])
    ]


@task()
def render_guide_pdf(guide_id):
    """Render a guide's PDF into the cache after it (or a chapter) is published, so that the
    first reader to ask for it does not wait for WeasyPrint."""
    from django.conf import settings
    from django.test import RequestFactory

    from kb.export import PdfInProgress, PdfUnavailable
    from kb.export import render_guide_pdf as render
    from kb.models import GuidePage

    guide = GuidePage.objects.live().public().filter(pk=guide_id).specific().first()
    if guide is None:
        return False
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    secure = base.startswith("https://")
    host = base.split("://", 1)[-1].split("/", 1)[0]
    request = RequestFactory().get(guide.url or "/", HTTP_HOST=host, secure=secure)
    try:
        render(guide, request)
    except (PdfInProgress, PdfUnavailable):
        return False
    return True


@task()
def flag_pages_for_notice(notice_id):
    """A notice was published: ask for the review of the guide pages it concerns (kb.reviews).
    Idempotent: one request per page and notice, however often the notice is published."""
    from kb.reviews import flag_pages
    from notices.models import NoticePage

    notice = NoticePage.objects.filter(pk=notice_id).first()
    if notice is None:
        return 0
    return len(flag_pages(notice))


@task()
def alert_urgent_notice(notice_id):
    """An urgent notice was published: email the people it concerns (notices.alerts). Out of
    the Publish click, which only waits for the front cache purge that shows the banner.
    Idempotent: one email per notice and person, however often it is published or retried."""
    from notices.alerts import notify_urgent_notice
    from notices.models import NoticePage

    notice = NoticePage.objects.filter(pk=notice_id).first()
    if notice is None:
        return 0
    with batched_tasks():
        return notify_urgent_notice(notice)


@task()
def notify_page_followers(page_id, revision_id):
    """A guide or practice page was published: email who follows it « immédiatement »
    (subscriptions.immediate). Idempotent: one email per revision and person."""
    from subscriptions.immediate import notify_page_update

    return notify_page_update(page_id, revision_id)


@task()
def notify_notice_followers(notice_id):
    """A notice was published: email who follows its source, domains or audiences
    « immédiatement » (subscriptions.immediate). Idempotent: one email per notice and person."""
    from subscriptions.immediate import notify_notice

    return notify_notice(notice_id)
