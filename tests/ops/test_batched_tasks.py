"""A request's tasks leave together after its commit: with RQ on the real Redis, one pipeline
for the whole batch on a connection kept by the process (ops.rq_backend), every delivery in one
``deliver_outbox``, nothing from a savepoint rolled back, nothing before the commit."""

import json
import os
import tempfile

import pytest
from django.conf import settings

from tests.ops.servers import environment, shell

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL and not os.environ.get("REDIS_URL"),
    reason="needs Redis (REDIS_URL), as in CI's PostgreSQL + Redis run",
)

CODE = r"""
import json
import redis.connection
from django.db import transaction
from django_rq import get_queue
from ops.tasks import batched_tasks, deliver_outbox, enqueue_on_commit
from tests.ops.tasks import noted

queue = get_queue("default")
before = set(queue.job_ids)
sent = []
original = redis.connection.AbstractConnection.send_packed_command

def counting(self, command, check_health=True):
    sent.append(self)
    return original(self, command, check_health)

def batch(label, look_inside):
    with transaction.atomic(), batched_tasks():
        enqueue_on_commit(noted, label)
        enqueue_on_commit(noted, label)  # the same call twice: queued once
        enqueue_on_commit(deliver_outbox, [2])
        try:
            with transaction.atomic():
                enqueue_on_commit(noted, label + "-rolled-back")
                raise RuntimeError
        except RuntimeError:
            pass
        enqueue_on_commit(deliver_outbox, [1, 2])
        return len(set(queue.job_ids) - before) if look_inside else None

# The first batch opens the process's connection and reads Redis' version; what it queued is
# looked at before its commit (with this test's own connection, not counted below).
inside = batch("warm-up", look_inside=True)
before = set(queue.job_ids)
redis.connection.AbstractConnection.send_packed_command = counting
batch("reply", look_inside=False)
redis.connection.AbstractConnection.send_packed_command = original
new = [queue.fetch_job(i) for i in queue.job_ids if i not in before]
print(json.dumps({
    "inside": inside,
    "round_trips": len(sent),
    "connections": len({id(c) for c in sent}),
    "jobs": sorted([job.func_name, job.args] for job in new),
}))
"""


def test_a_batch_of_tasks_is_one_redis_round_trip_after_the_commit():
    redis_url = settings.REDIS_URL or os.environ["REDIS_URL"]
    with tempfile.TemporaryDirectory() as tmp_dir:
        env = environment(
            tmp_dir,
            f"sqlite:///{tmp_dir}/empty.sqlite3",
            PASSERELLE_TASKS_BACKEND="rq",
            REDIS_URL=redis_url,
        )
        done = shell(env, CODE)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["inside"] == 0  # nothing reaches the queue before the commit
    assert result["jobs"] == [
        ["ops.tasks.deliver_outbox", [[1, 2]]],
        ["tests.ops.tasks.noted", ["reply"]],
    ]
    assert result["round_trips"] == 1
    assert result["connections"] == 1
