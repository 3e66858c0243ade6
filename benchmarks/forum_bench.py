# ruff: noqa: S603, S310, S101, E501 -- a local benchmark: fixed commands, 127.0.0.1 URLs, embedded seed code
"""Forum speed: Passerelle's forum against django-machina 1.3.1 as it ships, side by side.

Builds a SQLite database in a temporary directory (12 forums of 5 topics, a topic with 101 posts,
staff authors and a staff reader), starts two gunicorns (one sync worker each, production-like
settings): Passerelle, and machina as it ships (``FORUM_BENCH_VANILLA=1`` in
``benchmarks/forum_settings.py``: machina's apps, middleware and own templates) on the same
database. Then, in interleaved rounds (Passerelle, machina, Passerelle, machina…), wrk (-t2 -c32)
asks each for the forum index and the topic page, first as a first-time visitor (no cookie), then
as the same signed-in staff member (a real session of the database, its cookie given to wrk).
Reports the mean requests/s, the SQL queries of each page (counted in-process with the same
settings), the session rows created and the topic view writes, and appends the results to
docs/benchmarks.md with the machine and the date. About 2 minutes with the defaults.

    .venv/bin/python benchmarks/forum_bench.py [--seconds 4] [--rounds 3] [--no-write]
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from summary import record

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WRK = shutil.which("wrk") or "/usr/bin/wrk"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(var_dir, vanilla):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.forum_settings",
        PASSERELLE_VAR_DIR=str(var_dir),
        FORUM_BENCH_VANILLA="1" if vanilla else "0",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return env


SEED = r"""
import django
django.setup()
from django.contrib.auth.models import Group, User
from machina.core.db.models import get_model
from accounts import roles
from accounts.roles import ensure_roles
ensure_roles()
Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")
staff = Group.objects.get(name=roles.STAFF)
authors = []
for i in range(5):
    user, _ = User.objects.get_or_create(username=f"auteur{i}", defaults={"first_name": "Auteur", "last_name": str(i)})
    user.groups.add(staff)
    authors.append(user)
reader = User.objects.create_user("lecteur", "lecteur@example.org", "lecteur-mot-de-passe", first_name="Lina", last_name="Lecteur")
reader.groups.add(staff)
category = Forum.objects.create(name="Catégorie", type=Forum.FORUM_CAT)
forums = [Forum.objects.create(name=f"Forum {i}", type=Forum.FORUM_POST, parent=category) for i in range(12)]
for forum in forums:
    for t in range(5):
        topic = Topic.objects.create(forum=forum, poster=authors[0], subject=f"Sujet {forum.pk}-{t}", type=0, status=0, approved=True)
        Post.objects.create(topic=topic, poster=authors[0], subject=topic.subject, content="Question")
        Post.objects.create(topic=topic, poster=authors[1], subject="Re", content="Réponse")
long_topic = Topic.objects.create(forum=forums[0], poster=authors[0], subject="Sujet long", type=0, status=0, approved=True)
for i in range(101):
    subject = long_topic.subject if i == 0 else "Re"
    Post.objects.create(topic=long_topic, poster=authors[i % 5], subject=subject, content=f"Message **{i}**")
print(f"/forum/forum/{forums[0].slug}-{forums[0].pk}/topic/{long_topic.slug}-{long_topic.pk}/")
"""

# A real session of the database for the reader, as the sign-in view would store it.
SESSION = r"""
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
reader = User.objects.get(username="lecteur")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(reader.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
session.save()
print(settings.SESSION_COOKIE_NAME + "=" + session.session_key)
"""

# SQL queries of each page (the second request: caches warm), with the variant's settings.
QUERIES = r"""
import sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
cookie, paths = sys.argv[1], sys.argv[2:]
name, value = cookie.split("=", 1)
out = []
for signed_in in (False, True):
    client = Client(HTTP_HOST="127.0.0.1")
    if signed_in:
        client.cookies[name] = value
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        out.append(str(len(ctx.captured_queries)))
print(" ".join(out))
"""

COUNT = r"""
import django
django.setup()
from django.contrib.sessions.models import Session
from machina.core.db.models import get_model
Topic = get_model("forum_conversation", "Topic")
print(Session.objects.count(), Topic.objects.get(subject="Sujet long").views_count)
"""


def run(code, env, *args):
    done = subprocess.run(
        [str(PYTHON), "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"benchmark step failed:\n{done.stderr}")
    return done.stdout.strip()


def get(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, (url, response.status)
        return response.read().decode()


def wrk(url, seconds, cookie=None):
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        [WRK, "-t2", "-c32", f"-d{seconds}s", "--timeout", "30s", *header, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit(f"wrk saw errors on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def start(var_dir, vanilla):
    env = env_for(var_dir, vanilla)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--env", "DJANGO_SETTINGS_MODULE=benchmarks.forum_settings",
         "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    for _ in range(150):
        try:
            get(f"http://127.0.0.1:{port}/forum/")
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn never answered")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-write", action="store_true", help="do not append to docs/benchmarks.md"
    )
    args = parser.parse_args()
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        env = env_for(var_dir, vanilla=False)
        subprocess.run(
            [str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        topic_path = run(SEED, env).splitlines()[-1]
        cookie = run(SESSION, env).splitlines()[-1]
        paths = {"index": "/forum/", "topic": topic_path}
        variants = {"ours": False, "machina": True}
        queries = {}
        for name, vanilla in variants.items():
            counts = run(QUERIES, env_for(var_dir, vanilla), cookie, *paths.values()).split()
            queries[name] = dict(
                zip(
                    [(w, p) for w in ("anonymous", "signed-in") for p in paths],
                    map(int, counts),
                    strict=True,
                )
            )
        servers = {}
        try:
            for name, vanilla in variants.items():
                servers[name] = start(var_dir, vanilla)
            before = run(COUNT, env).split()
            for name, (_server, base) in servers.items():
                for path in paths.values():
                    page = get(base + path, cookie)
                    # Signed in for real: our pages name the reader, machina's link to "my posts".
                    marker = "fa-comments" if name == "machina" else "Lina"
                    assert marker in page and marker not in get(base + path), f"{name} {path}"
                    for _ in range(5):
                        get(base + path)
                        get(base + path, cookie)
            rates = {}
            for _round in range(args.rounds):
                for who in ("anonymous", "signed-in"):
                    for page, path in paths.items():
                        for name, (_server, base) in servers.items():
                            rate = wrk(
                                base + path, args.seconds, cookie if who == "signed-in" else None
                            )
                            rates.setdefault((name, who, page), []).append(rate)
            after = run(COUNT, env).split()
        finally:
            for server, _base in servers.values():
                server.terminate()
                server.wait(timeout=30)
    mean = {k: sum(v) / len(v) for k, v in rates.items()}
    for key, values in sorted(rates.items()):
        print(*key, " ".join(f"{v:.1f}" for v in values))
    print(queries)
    elapsed = time.time() - started
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    load = os.getloadavg()
    labels = {"index": "forum index, 12 forums", "topic": "topic page, 101 posts (15 per page)"}
    targets = {"anonymous": 10.0, "signed-in": 2.0}
    lines = [
        "",
        f"## Forum: Passerelle vs django-machina 1.3.1 as it ships, signed in and not (`benchmarks/forum_bench.py`) – {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`.venv/bin/python benchmarks/forum_bench.py --seconds {args.seconds} --rounds {args.rounds}` "
        f"({elapsed:.0f} s): two gunicorns (1 sync worker each, production-like settings, DEBUG off) "
        "on one SQLite database: Passerelle, and machina as it ships (its apps, middleware and own "
        "templates); wrk -t2 -c32, "
        f"{args.seconds} s per run, {args.rounds} interleaved rounds (Passerelle, machina, …), mean "
        "req/s. Signed in: a staff member (group « Personnel d'établissement », the same "
        "permissions for both) with a real database session. Queries: the page's second request, "
        f"in-process, same settings. Machine: {platform.node()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}; load average {load[0]:.1f} at the end "
        "(other work shared the machine; interleaving keeps the ratios fair).",
        "",
        "| page | visitor | Passerelle req/s (queries) | machina req/s (queries) | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for who in ("signed-in", "anonymous"):
        for page in paths:
            ours, theirs = mean[("ours", who, page)], mean[("machina", who, page)]
            ratio = ours / theirs if theirs else float("inf")
            visitor = "signed-in staff" if who == "signed-in" else "first-time visitor"
            record(f"forum {page}, {visitor}, no front cache", f"≥ ×{targets[who]:g} machina as it ships",
                   f"×{ratio:.2f} ({ours:.1f} vs {theirs:.1f} req/s; {queries['ours'][(who, page)]} vs "
                   f"{queries['machina'][(who, page)]} queries)", ratio >= targets[who],
                   f"forum_bench.py --seconds {args.seconds} --rounds {args.rounds}")  # fmt: skip
            lines.append(
                f"| {labels[page]} | {'signed-in staff' if who == 'signed-in' else 'first-time visitor'} "
                f"| {ours:.1f} ({queries['ours'][(who, page)]}) "
                f"| {theirs:.1f} ({queries['machina'][(who, page)]}) "
                f"| ×{ratio:.2f} | ≥ ×{targets[who]:g} | {'met' if ratio >= targets[who] else '**not met**'} |"
            )
    sessions = int(after[0]) - int(before[0])
    views = int(after[1]) - int(before[1])
    lines += [
        "",
        f"Session rows created during the runs (both servers): {sessions}; topic views written to "
        f"the database: {views} (machina: one UPDATE per signed-in or anonymous read; Passerelle: "
        "anonymous reads counted in batches).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    for key, values in sorted(rates.items()):
        print(key, " ".join(f"{v:.1f}" for v in values))
    if not args.no_write:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
