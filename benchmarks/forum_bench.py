# ruff: noqa: S603, S310, S101, E501 -- a local benchmark: fixed commands, 127.0.0.1 URLs, embedded seed code
"""Forum speed: Passerelle's forum against django-machina 1.3.1 as it ships, side by side.

Builds a SQLite database in a temporary directory (12 forums, a topic with 101 posts), then for
each variant starts gunicorn (one sync worker) on 127.0.0.1 and sends a bounded number of
cookieless GET requests (first-time visitors) to the forum index and to the topic page,
sequentially. Reports requests/s, session rows and topic views_count writes, and appends the
results to docs/benchmarks.md with the machine and the date.

    .venv/bin/python benchmarks/forum_bench.py [--requests 300]
"""

import argparse
import datetime
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


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
authors = []
for i in range(5):
    user, _ = User.objects.get_or_create(username=f"auteur{i}", defaults={"first_name": "Auteur", "last_name": str(i)})
    user.groups.add(Group.objects.get(name=roles.STAFF))
    authors.append(user)
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

COUNT = r"""
import django
django.setup()
from django.contrib.sessions.models import Session
from machina.core.db.models import get_model
Topic = get_model("forum_conversation", "Topic")
print(Session.objects.count(), Topic.objects.get(subject="Sujet long").views_count)
"""


def run(code, env):
    done = subprocess.run(
        [str(PYTHON), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"benchmark step failed:\n{done.stderr}")
    return done.stdout.strip()


def measure(url, n):
    for _ in range(10):  # warm up
        urllib.request.urlopen(url).read()
    start = time.perf_counter()
    for _ in range(n):
        with urllib.request.urlopen(url) as response:
            response.read()
            assert response.status == 200
    return n / (time.perf_counter() - start)


def bench(var_dir, vanilla, paths, n):
    env = env_for(var_dir, vanilla)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--env", "DJANGO_SETTINGS_MODULE=benchmarks.forum_settings", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/forum/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        before = run(COUNT, env).split()
        results = {
            name: measure(f"http://127.0.0.1:{port}{path}", n) for name, path in paths.items()
        }
        after = run(COUNT, env).split()
    finally:
        server.terminate()
        server.wait(timeout=20)
    results["sessions"] = int(after[0]) - int(before[0])
    results["views_writes"] = int(after[1]) - int(before[1])
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--no-write", action="store_true", help="do not append to docs/benchmarks.md"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        env = env_for(var_dir, vanilla=False)
        subprocess.run(
            [str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        topic_path = run(SEED, env).splitlines()[-1]
        paths = {"index": "/forum/", "topic": topic_path}
        vanilla = bench(var_dir, True, paths, args.requests)
        ours = bench(var_dir, False, paths, args.requests)
    rows = [
        ("forum index, 12 forums (req/s)", vanilla["index"], ours["index"]),
        ("topic page, 101 posts (req/s)", vanilla["topic"], ours["topic"]),
    ]
    lines = [
        "",
        f"## Forum: Passerelle vs django-machina 1.3.1 as it ships ({datetime.date.today():%Y-%m-%d})",
        "",
        f"`benchmarks/forum_bench.py --requests {args.requests}`: gunicorn, 1 sync worker, SQLite, "
        f"cookieless sequential GETs on 127.0.0.1; {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        "| measure | machina 1.3.1 | Passerelle | ratio |",
        "|---|---|---|---|",
    ]
    for label, a, b in rows:
        lines.append(f"| {label} | {a:.1f} | {b:.1f} | ×{b / a:.2f} |")
    lines.append(f"| session rows created | {vanilla['sessions']} | {ours['sessions']} | |")
    lines.append(
        f"| topic views counted (machina: 1 UPDATE per read; Passerelle: 1 UPDATE per 20 anonymous reads, the rest when the worker exits) | {vanilla['views_writes']} | {ours['views_writes']} | |"
    )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
