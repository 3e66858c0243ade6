"""/sante/: 200 when this server can serve, 503 when a critical check fails (Redis unreachable,
in a process of its own), site checks failing only with ?complet=1; no secret in the answer."""

import json
import tempfile

import pytest
from django.conf import settings

from outbox.delivery import enqueue
from tests.ops.servers import database_url, environment, free_port, shell

pytestmark = pytest.mark.django_db


def test_healthy_server_answers_200_with_every_check(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {
        "database", "cache", "search", "storage", "tasks", "outbox", "feeds"
    }  # fmt: skip
    assert all(check["ok"] for check in body["checks"].values())
    assert settings.SECRET_KEY not in response.content.decode()


def test_outbox_backlog_degrades_and_fails_only_the_complete_probe(client, settings):
    settings.PASSERELLE_HEALTH_MAX_OUTBOX_BACKLOG = 1
    for number in range(2):
        enqueue(f"p{number}@example.fr", "Sujet", "Corps", deliver=False)
    load_balancer = client.get("/sante/")
    assert load_balancer.status_code == 200
    assert load_balancer.json()["status"] == "degraded"
    assert load_balancer.json()["checks"]["outbox"] == {
        **load_balancer.json()["checks"]["outbox"], "ok": False, "due": 2
    }  # fmt: skip
    assert client.get("/sante/?complet=1").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_unreachable_redis_gives_503_without_its_url():
    closed_port = free_port()  # bound then released: nothing listens there
    with tempfile.TemporaryDirectory() as tmp_dir:
        env = environment(
            tmp_dir,
            database_url(tmp_dir),
            REDIS_URL=f"redis://:s3cret-redis-password@127.0.0.1:{closed_port}/5",
            PASSERELLE_TASKS_BACKEND="database",
        )
        done = shell(
            env,
            "from django.test import Client; r = Client().get('/sante/'); "
            "print(r.status_code); print(r.content.decode())",
        )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    status, body = int(lines[-2]), json.loads(lines[-1])
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "s3cret" not in lines[-1] and str(closed_port) not in lines[-1]
