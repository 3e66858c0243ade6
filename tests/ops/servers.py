"""Helpers for tests that run Passerelle in processes of their own (workers, app servers)."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(tmp_dir):
    """The suite's database as another process can reach it: PostgreSQL as it is (the test
    committed its rows), SQLite's in-memory test database copied to a WAL-mode file."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db["USER"] or "postgres"
        return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    path = Path(tmp_dir) / "ops.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return f"sqlite:///{path}"


def environment(tmp_dir, db_url, **extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": db_url,
        "PASSERELLE_VAR_DIR": str(tmp_dir),
        "PASSERELLE_TASKS_BACKEND": "database",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env, *args, timeout=120):
    return subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def shell(env, code, timeout=120):
    """Run Python ``code`` in a Django shell of its own; return the completed process."""
    return manage(env, "shell", "--no-imports", "-c", code, timeout=timeout)


def wait_for(predicate, timeout=60, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def stop(process, timeout=20):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


class FormFields(HTMLParser):
    """The fields of the page's form that has a field named ``field``: hidden inputs (CSRF token,
    formset management), text inputs and textareas."""

    def __init__(self, field="content"):
        super().__init__()
        self.field = field
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif self.forms and tag in {"input", "textarea"} and attributes.get("name"):
            if attributes.get("type") in {"checkbox", "radio", "file", "submit"}:
                return
            self.forms[-1][attributes["name"]] = attributes.get("value") or ""

    @property
    def fields(self):
        return next(form for form in self.forms if self.field in form)
