"""Concurrent writers: gunicorn with several worker processes on the suite's own database
(SQLite in WAL mode, or PostgreSQL when the suite runs on it), 16 clients posting replies at once
through machina's real reply form. Every reply must be saved and searchable, with no error."""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse

from accounts import roles
from tests import factories

# The full case is 16 × 50 = 800 replies (run it with PASSERELLE_CONCURRENCY_REPLIES=50;
# docs/benchmarks.md has its numbers); the suite runs 16 × 10 to stay within CI's time budget.
CLIENTS = int(os.environ.get("PASSERELLE_CONCURRENCY_CLIENTS", "16"))
REPLIES = int(os.environ.get("PASSERELLE_CONCURRENCY_REPLIES", "10"))
WORKERS = 4
ROOT = Path(settings.BASE_DIR)


class FormFields(HTMLParser):
    """The fields of the page's form that has a ``content`` field (the reply form): hidden
    inputs (CSRF token, attachment formset management), text inputs and textareas."""

    def __init__(self):
        super().__init__()
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
        return next(form for form in self.forms if "content" in form)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_cookie(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def database_url(tmp_dir):
    """The suite's database as gunicorn can reach it: PostgreSQL as it is (the test committed its
    rows); SQLite's in-memory test database copied to a WAL-mode file."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db["USER"] or "postgres"
        return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    path = Path(tmp_dir) / "concurrency.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return f"sqlite:///{path}"


def reply_with(session, base, topic_path, reply_path, client_number, errors, statuses):
    form_page = session.get(base + reply_path, timeout=30)
    if form_page.status_code != 200:
        errors.append(f"client {client_number}: form {form_page.status_code}")
        return
    parser = FormFields()
    parser.feed(form_page.text)
    for i in range(REPLIES):
        data = dict(parser.fields)
        data["subject"] = f"Re: concurrence {client_number}"
        data["content"] = f"Réponse ornithologique jeton{client_number}x{i} sur le serveur."
        response = session.post(
            base + reply_path,
            data=data,
            headers={"Referer": base + reply_path},
            allow_redirects=False,
            timeout=60,
        )
        statuses.append(response.status_code)
        if response.status_code != 302:
            errors.append(
                f"client {client_number} reply {i}: {response.status_code} "
                + re.sub(r"\s+", " ", response.text)[-300:]
            )
            return


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_posting_replies_all_searchable(site_tree):
    _category, forum = factories.make_category_with_forum("Concurrence", "Forum concurrence")
    author = factories.make_user(roles.STAFF)
    topic = factories.make_topic(forum, author, subject="Sujet partagé", content="Premier")
    clients = [factories.make_user(roles.STAFF) for _ in range(CLIENTS)]
    cookies = [signed_in_cookie(user) for user in clients]
    topic_path = f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/"
    reply_path = reverse(
        "forum_conversation:post_create",
        kwargs={
            "forum_slug": forum.slug,
            "forum_pk": forum.pk,
            "topic_slug": topic.slug,
            "topic_pk": topic.pk,
        },
    )

    with tempfile.TemporaryDirectory() as tmp_dir:
        url = database_url(tmp_dir)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": url,
            "PASSERELLE_VAR_DIR": tmp_dir,
        }
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if requests.get(base + "/recherche/", timeout=10).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            errors, statuses = [], []
            threads = []
            for number, cookie in enumerate(cookies):
                session = requests.Session()
                session.cookies.set("sessionid", cookie, domain="127.0.0.1")
                threads.append(
                    threading.Thread(
                        target=reply_with,
                        args=(session, base, topic_path, reply_path, number, errors, statuses),
                    )
                )
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started

            assert errors == [], errors[:10]
            assert len(statuses) == CLIENTS * REPLIES
            assert not [s for s in statuses if s >= 500]

            # All 800 replies searchable, through the real search page.
            page = requests.get(base + "/recherche/", {"q": "ornithologique"}, timeout=30)
            assert page.status_code == 200
            total = re.search(r"(\d[\d\s\u202f]*) résultats pour", page.text).group(1)
            assert int(re.sub(r"\D", "", total)) == CLIENTS * REPLIES
            for number in range(CLIENTS):
                one = requests.get(
                    base + "/recherche/", {"q": f"jeton{number}x{REPLIES - 1}"}, timeout=30
                )
                assert "1 résultat pour" in one.text, number
            print(f"{CLIENTS * REPLIES} replies in {elapsed:.1f} s on {connection.vendor}")
        finally:
            server.terminate()
            _out, err = server.communicate(timeout=30)
            assert b"Traceback" not in err, err.decode(errors="replace")[-3000:]
