"""Logs: a request id on each request (and in X-Request-ID), JSON lines in production format,
no password, token, credentials or email body in them."""

import json
import os
import subprocess

import pytest

from tests.ops.servers import BIN, ROOT

pytestmark = pytest.mark.django_db


def test_every_response_has_a_request_id(client):
    first = client.get("/sante/")["X-Request-ID"]
    second = client.get("/sante/")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client):
    assert client.get("/sante/", HTTP_X_REQUEST_ID="proxy-1234abcd")["X-Request-ID"] == (
        "proxy-1234abcd"
    )
    forged = client.get("/sante/", HTTP_X_REQUEST_ID="a\nb<script>")["X-Request-ID"]
    assert "<" not in forged and len(forged) == 32


SCRIPT = r"""
import logging
from django.test import RequestFactory
from ops.middleware import RequestIdMiddleware

log = logging.getLogger("passerelle.test")

def view(request):
    log.warning("sign-in password=%s for %s", "hunter2-mdp", "camille")
    log.warning("token: %s csrfmiddlewaretoken=%s", "tok-abc123", "csrf-xyz")
    log.warning("smtp://mailer:smtp-pass-42@smtp.example.fr:587 refused")
    log.warning("Authorization: Bearer eyJhbGciOi.secret-jwt")
    log.warning("email queued", extra={"email_body": "Bonjour, votre code est 991122"})
    try:
        raise ValueError("api_key=ak-777 rejected")
    except ValueError:
        log.exception("upstream failed")
    from django.http import HttpResponse
    return HttpResponse("ok")

response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-0042abcd"))
"""


def test_json_logs_carry_the_request_id_and_no_secret():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "LOG_FORMAT": "json",
        "PASSERELLE_TASKS_BACKEND": "immediate",
    }
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "--no-imports", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    ours = [r for r in records if r.get("logger") == "passerelle.test"]
    assert len(ours) == 6
    assert {r["request_id"] for r in ours} == {"req-0042abcd"}
    assert {r["level"] for r in ours} == {"WARNING", "ERROR"}
    assert "camille" in ours[0]["message"]  # the rest of the message is kept
    assert "smtp.example.fr" in ours[2]["message"]
    for secret in (
        "hunter2-mdp", "tok-abc123", "csrf-xyz", "smtp-pass-42", "secret-jwt", "991122", "ak-777"
    ):  # fmt: skip
        assert secret not in done.stderr, secret
