"""Tasks whose worker died are run again.

django-tasks-db marks a task RUNNING when a worker claims it, and nothing else ever looks at it
again: a worker killed in the middle (OOM killer, a deploy, a power cut) would leave it RUNNING
for ever. Our workers are named ``<host>:<pid>`` (``manage.py tasks_worker``); a RUNNING task is
put back in the queue when its worker is on this host and its process is gone, or when it has been
running longer than ``PASSERELLE_TASK_TIMEOUT`` (a worker on another machine that died). A task
that has been claimed ``PASSERELLE_TASK_MAX_ATTEMPTS`` times is marked failed instead, so that a
task that kills its worker does not loop. Every Passerelle task is idempotent (``ops.tasks``).
"""

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def worker_id(pid=None):
    return f"{socket.gethostname()[:50]}:{pid or os.getpid()}"


def _process_gone(worker):
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname()[:50] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def reclaim_abandoned(now=None):
    """Requeue (or fail, past the attempt limit) abandoned tasks; return (requeued, failed)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.PASSERELLE_TASK_TIMEOUT)
    requeued = failed = 0
    with transaction.atomic():
        for result in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            last = result.worker_ids[-1] if result.worker_ids else ""
            stale = result.started_at is None or result.started_at < stale_before
            if not (stale or _process_gone(last)):
                continue
            if len(result.worker_ids) >= settings.PASSERELLE_TASK_MAX_ATTEMPTS:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = "ops.reclaim.WorkerLost"
                result.traceback = f"Worker {last} lost this task {len(result.worker_ids)} times."
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed += 1
                logger.error("Task %s (%s) failed: its worker died too often", result.pk,
                             result.task_path)  # fmt: skip
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
                logger.warning("Task %s (%s) requeued: worker %s is gone", result.pk,
                               result.task_path, last)  # fmt: skip
    return requeued, failed


def backlog():
    """Tasks waiting to run (for /sante/): (count, age in seconds of the oldest, or None)."""
    if settings.PASSERELLE_TASKS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        age = (timezone.now() - oldest).total_seconds() if oldest else None
        return ready.count(), age
    if settings.PASSERELLE_TASKS_BACKEND == "rq":
        import django_rq

        return sum(len(django_rq.get_queue(name)) for name in settings.RQ_QUEUES), None
    return 0, None
