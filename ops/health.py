"""``/sante/``: is this app server fit to serve, and is the whole site keeping up?

One JSON object for a load balancer or a monitoring probe. Each check reports ``ok`` and a few
numbers, never a URL, a host name, a password or an exception's text (only its class name).

- **Critical** checks say whether *this* server can serve: the database answers, the cache
  stores and returns a value, the search backend answers a query, the media storage can write
  and delete a file. Any of them failing gives **503**: the load balancer takes the server out.
- **Site** checks say whether the background work keeps up: task backlog (waiting tasks and the
  age of the oldest), outbox backlog (emails pending and due), last successful feed fetch. They
  fail the response (503) only with ``?complet=1`` (the monitoring probe), so that a ministry
  feed down for a day does not take every app server out of the load balancer.

django-health-check was the first choice; its current releases need Python 3.14, and these few
checks (two of them about Passerelle's own tables) are short enough to keep here.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


def _timed(check):
    started = time.monotonic()
    try:
        result = check() or {}
        result.setdefault("ok", True)
    except Exception as exc:  # a check that raises has failed; only the class name is shown
        result = {"ok": False, "error": type(exc).__name__}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache():
    cache = caches["default"]
    key = f"ops-health-{uuid.uuid4().hex}"
    cache.set(key, "1", 30)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok, "backend": "redis" if settings.REDIS_URL else "local"}


def check_search():
    from wagtail.search.backends import get_search_backend

    from search.models import SearchDocument

    list(get_search_backend().search("passerelle", SearchDocument.objects.all())[:1])
    return {"backend": settings.SEARCH_BACKEND}


def check_storage():
    name = default_storage.save(f"sante/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        ok = default_storage.exists(name)
    finally:
        default_storage.delete(name)
    return {"ok": ok}


def check_tasks():
    from ops.reclaim import backlog

    waiting, oldest = backlog()
    return {
        "ok": waiting <= settings.PASSERELLE_HEALTH_MAX_TASK_BACKLOG,
        "backend": settings.PASSERELLE_TASKS_BACKEND,
        "waiting": waiting,
        "oldest_seconds": round(oldest) if oldest is not None else None,
    }


def check_outbox():
    from outbox.delivery import due_messages
    from outbox.models import Message

    due = due_messages().count()
    return {
        "ok": due <= settings.PASSERELLE_HEALTH_MAX_OUTBOX_BACKLOG,
        "due": due,
        "failed": Message.objects.filter(status=Message.Status.FAILED).count(),
    }


def check_feeds():
    from notices.models import SourceFeed

    feeds = SourceFeed.objects.filter(source__is_active=True)
    last = feeds.exclude(last_success_at=None).order_by("-last_success_at").first()
    if not feeds.exists():
        return {"ok": True, "feeds": 0, "last_success": None}
    age_hours = (timezone.now() - last.last_success_at).total_seconds() / 3600 if last else None
    return {
        "ok": age_hours is not None and age_hours <= settings.PASSERELLE_HEALTH_MAX_FETCH_AGE_HOURS,
        "feeds": feeds.count(),
        "last_success": last.last_success_at.isoformat() if last else None,
    }


CRITICAL = {
    "database": check_database,
    "cache": check_cache,
    "search": check_search,
    "storage": check_storage,
}
SITE = {"tasks": check_tasks, "outbox": check_outbox, "feeds": check_feeds}


@never_cache
def health(request):
    complete = request.GET.get("complet") in {"1", "oui", "true"}
    checks = {name: _timed(check) for name, check in CRITICAL.items()}
    critical_ok = all(result["ok"] for result in checks.values())
    database_ok = checks["database"]["ok"]
    for name, check in SITE.items():
        # The site checks read the database: without it they can only fail.
        checks[name] = _timed(check) if database_ok else {"ok": False, "error": "database"}
    site_ok = all(checks[name]["ok"] for name in SITE)
    healthy = critical_ok and (site_ok or not complete)
    status = "ok" if critical_ok and site_ok else ("degraded" if critical_ok else "failing")
    return JsonResponse(
        {"status": status, "checks": checks, "time": timezone.now().isoformat()},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
