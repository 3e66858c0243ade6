# ruff: noqa: S603, S607, S101, E501 -- a local benchmark: fixed commands, 127.0.0.1 URLs, embedded seed code
"""Reply speed: server time of a forum reply POST, tasks inside the request ("before") against
tasks after commit in the worker ("after"), side by side in one run.

Builds a database (SQLite in a temporary directory, or with ``--postgres`` a PostgreSQL database
``passerelle_ops_bench`` on 127.0.0.1 with Redis db 5; ``--pg-database`` and ``--redis-db`` choose
others, so that two runs never share them), seeds a forum topic with 20 posts whose
topic and forum have 30 subscribers each and a reply that mentions two people, then for each
mode starts gunicorn (one sync worker, production-like settings ``benchmarks.forum_settings``),
and, in the "after" mode, the tasks worker beside it. One client posts ``--replies`` replies
through machina's real form, one after the other (bounded by count and by ``--max-seconds``).
Server time is the time the request spent in Django, from the first middleware on (the
``Server-Timing`` header of ``ops.middleware``), so the client's side does not count. Runs
SQLite, then PostgreSQL + Redis, and appends p50 / p95 of each to docs/benchmarks.md with the
machine and the date.

    .venv/bin/python benchmarks/reply_bench.py [--replies 60] [--databases sqlite,postgres]
        [--pg-database passerelle_ops_bench] [--redis-db 5]
"""

import argparse
import datetime
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import requests
from summary import record

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG_DATABASE = "passerelle_ops_bench"
REDIS_DB = 5
TARGET_MS = 40


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_url(database):
    return f"postgres://postgres@127.0.0.1:5432/{database}"


def redis_url(db):
    return f"redis://127.0.0.1:6379/{db}"


def env_for(var_dir, postgres, backend, pg_database=PG_DATABASE, redis_db=REDIS_DB):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.forum_settings",
        PASSERELLE_VAR_DIR=str(var_dir),
        PYTHONPATH=str(ROOT),
        EMAIL_URL="dummy://",
        PASSERELLE_TASKS_BACKEND=backend,
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if postgres:
        env.update(DATABASE_URL=pg_url(pg_database), REDIS_URL=redis_url(redis_db))
    return env


SEED = r"""
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from machina.core.db.models import get_model
from accounts import roles
from accounts.roles import ensure_roles
from forum.community.models import Subscription
from kb.structure import ensure_site_structure
ensure_site_structure()
ensure_roles()
Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")
staff = Group.objects.get(name=roles.STAFF)
people = []
for i in range(60):
    user = User.objects.create(username=f"membre{i}", email=f"membre{i}@example.fr", first_name="Membre", last_name=str(i))
    user.groups.add(staff)
    people.append(user)
poster = people[0]
category = Forum.objects.create(name="Catégorie", type=Forum.FORUM_CAT)
forum = Forum.objects.create(name="Forum des réponses", type=Forum.FORUM_POST, parent=category)
topic = Topic.objects.create(forum=forum, poster=people[1], subject="Sujet suivi", type=0, status=0, approved=True)
for i in range(20):
    Post.objects.create(topic=topic, poster=people[1 + i % 5], subject="Sujet suivi" if i == 0 else "Re", content=f"Message {i}")
for user in people[1:31]:
    Subscription.objects.create(user=user, topic=topic, frequency="immediate")
for user in people[31:]:
    Subscription.objects.create(user=user, forum=forum, frequency="immediate")
session = SessionStore()
session[SESSION_KEY] = str(poster.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = poster.get_session_auth_hash()
session.create()
print(session.session_key)
print(reverse("forum_conversation:post_create", kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk, "topic_slug": topic.slug, "topic_pk": topic.pk}))
"""


class FormFields(HTMLParser):
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


def run(args, env, **kwargs):
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, **kwargs)
    if done.returncode:
        sys.exit(f"benchmark step failed: {args}\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def wait_up(base):
    for _ in range(300):
        try:
            requests.get(base + "/sante/", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def bench(var_dir, postgres, backend, session_key, reply_path, replies, max_seconds, **names):
    env = env_for(var_dir, postgres, backend, **names)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--env", "DJANGO_SETTINGS_MODULE=benchmarks.forum_settings", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    worker = None
    if backend != "immediate":
        worker = subprocess.Popen(
            [str(PYTHON), "manage.py", "tasks_worker"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base)
        http = requests.Session()
        http.cookies.set("sessionid", session_key, domain="127.0.0.1")
        form = http.get(base + reply_path, timeout=30)
        assert form.status_code == 200, form.status_code
        parser = FormFields()
        parser.feed(form.text)
        started = time.monotonic()
        times = []
        for i in range(replies + 5):  # the first 5 warm the worker up and are not counted
            if time.monotonic() - started > max_seconds:
                break
            data = dict(parser.fields)
            data["subject"] = "Re: Sujet suivi"
            data["content"] = f"Réponse {backend} {i} pour @membre2 et @membre3."
            response = http.post(base + reply_path, data=data, headers={"Referer": base + reply_path},
                                 allow_redirects=False, timeout=60)  # fmt: skip
            assert response.status_code == 302, (response.status_code, response.text[-500:])
            times.append(float(response.headers["Server-Timing"].split("dur=")[1]))
    finally:
        for process in (server, worker):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    times = times[5:]
    times.sort()
    return {
        "count": len(times),
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
    }


def prepare(var_dir, postgres, pg_database=PG_DATABASE, redis_db=REDIS_DB):
    env = env_for(var_dir, postgres, "immediate", pg_database, redis_db)
    if postgres:
        for sql in (
            f"DROP DATABASE IF EXISTS {pg_database}",
            f"CREATE DATABASE {pg_database}",
        ):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        subprocess.run(
            ["redis-cli", "-n", str(redis_db), "FLUSHDB"], check=True, capture_output=True
        )
    started = time.monotonic()
    run([str(PYTHON), "manage.py", "migrate", "-v0"], env)
    session_key, reply_path = run([str(PYTHON), "-c", SEED], env).split()
    print(f"database ready in {time.monotonic() - started:.0f} s", flush=True)
    return session_key, reply_path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=60)
    parser.add_argument("--max-seconds", type=int, default=120)
    parser.add_argument("--databases", default="sqlite,postgres",
                        help="comma-separated: sqlite, postgres (PostgreSQL + Redis/RQ)")  # fmt: skip
    parser.add_argument("--postgres", action="store_true", help="the same as --databases postgres")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--pg-database", default=PG_DATABASE,
                        help="PostgreSQL database to drop and create (default %(default)s)")  # fmt: skip
    parser.add_argument("--redis-db", type=int, default=REDIS_DB,
                        help="Redis database number to flush and use (default %(default)s)")  # fmt: skip
    args = parser.parse_args()
    if not args.pg_database.replace("_", "").isalnum():
        sys.exit("--pg-database: letters, digits and underscores only")
    names = {"pg_database": args.pg_database, "redis_db": args.redis_db}
    databases = ["postgres"] if args.postgres else args.databases.split(",")
    rows = []
    for database in databases:
        postgres = database == "postgres"
        after_backend = "rq" if postgres else "database"
        label = "PostgreSQL + Redis" if postgres else "SQLite"
        with tempfile.TemporaryDirectory() as var_dir:
            session_key, reply_path = prepare(var_dir, postgres, **names)
            for backend in ("immediate", after_backend):
                result = bench(var_dir, postgres, backend, session_key, reply_path,
                               args.replies, args.max_seconds, **names)  # fmt: skip
                print(label, backend, result, flush=True)
                rows.append((label, backend, result))
    lines = [
        "",
        f"## Reply POST server time ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`benchmarks/reply_bench.py --databases {','.join(databases)}`, {platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average at the end "
        f"{os.getloadavg()[0]:.1f}; gunicorn 1 sync worker, one client, a topic with 60 "
        f"subscribers and two mentions per reply; server time is Django's own "
        f"(`Server-Timing: app;dur=` from `ops.middleware`, the first middleware), not the client's.",
        "",
        "| database | tasks | replies | p50 | p95 | p50 ≤ 40 ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, backend, result in rows:
        where = (
            "inside the request (before)"
            if backend == "immediate"
            else f"after commit, in the worker ({backend})"
        )
        verdict = (
            "" if backend == "immediate" else ("met" if result["p50"] <= TARGET_MS else "NOT met")
        )
        lines.append(f"| {label} | {where} | {result['count']} | {result['p50']:.1f} ms | "
                     f"{result['p95']:.1f} ms | {verdict} |")  # fmt: skip
        if backend != "immediate":
            record(
                f"reply POST server time, {label}",
                f"p50 ≤ {TARGET_MS} ms",
                f"{result['p50']:.1f} ms (p95 {result['p95']:.1f})",
                result["p50"] <= TARGET_MS,
                f"reply_bench.py --databases {','.join(databases)}",
            )
    print("\n".join(lines))
    if not args.no_write:
        with (ROOT / "docs" / "benchmarks.md").open("a") as file:
            file.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
