"""django-tasks-rq's backend, with one Redis connection per process and batches in one pipeline.

django-tasks-rq asks django-rq for a queue on every ``enqueue``, and django-rq builds a new Redis
client (a new connection pool) each time: every task queued by a request opened a TCP connection
and sent HELLO, three CLIENT commands, SELECT and RQ's INFO (its Redis version check, cached on
that throw-away client) before the two pipelines that store and push the job: 8 round trips per
task, 16 for a reply. Here the queue, its connection pool and the Redis version are kept for the
life of the process (redis-py makes a new pool after a fork), and ``enqueue_many`` stores and
pushes several jobs in one pipeline (one round trip): what ``ops.tasks.batched_tasks`` gives it.
"""

import os

import django_rq
from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, failed_callback, success_callback
from django_tasks_rq.backend import RQBackend as BaseRQBackend
from rq.job import Callback, JobStatus

_queues = {}


def queue_for(name):
    """The process's queue ``name`` (a new one in a forked child)."""
    key = (os.getpid(), name)
    queue = _queues.get(key)
    if queue is None:
        queue = _queues[key] = django_rq.get_queue(name, job_class=Job)
    return queue


class RQBackend(BaseRQBackend):
    def _job(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = queue_for(task.queue_name)
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )
        return result, queue, job

    def _queue_job(self, task, queue, job, pipeline=None):
        if task.run_after is None:
            return queue.enqueue_job(
                job, pipeline=pipeline, at_front=task.priority == TASK_MAX_PRIORITY
            )
        return queue.schedule_job(job, task.run_after, pipeline=pipeline)

    def _enqueued(self, result, job):
        # As django-tasks-rq does, once the job is in Redis.
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)
        return result

    def enqueue(self, task, args, kwargs):
        return self.enqueue_many([(task, args, kwargs)])[0]

    def enqueue_many(self, calls):
        """Enqueue ``(task, args, kwargs)`` calls in one pipeline per queue; their results."""
        prepared = [(task, *self._job(task, args, kwargs)) for task, args, kwargs in calls]
        by_queue = {}
        for task, _result, queue, job in prepared:
            by_queue.setdefault(queue.name, (queue, []))[1].append((task, job))
        for queue, jobs in by_queue.values():
            queue.get_redis_server_version()  # cached: not a command inside the pipeline
            with queue.connection.pipeline() as pipe:
                for task, job in jobs:
                    self._queue_job(task, queue, job, pipeline=pipe)
                pipe.execute()
        return [self._enqueued(result, job) for _task, result, _queue, job in prepared]
