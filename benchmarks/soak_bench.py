# ruff: noqa: S603, S607, E501 -- a local benchmark: fixed commands, 127.0.0.1 URLs, embedded seed code
"""Soak: memory of the gunicorn worker and of the tasks worker over a bounded mixed load.

Builds the demo site in a temporary directory (production settings, SQLite and the database
tasks backend; or with ``--postgres`` a PostgreSQL database ``passerelle_ops_soak`` on 127.0.0.1
and RQ on Redis db 6), adds a member with a session, then starts gunicorn (one sync worker) and
the tasks worker (``manage.py tasks_worker``, or ``rqworker`` with ``--postgres``). One client
runs, for ``--minutes`` minutes, a fixed cycle of requests: anonymous reads of the home page, a
guide chapter, the notices list, the forum index, a topic and a search (a different query each
time, so that caches keyed by the query see new keys), the same pages signed in, and a reply to
the topic every ``--reply-every`` cycles (each reply is a task for the worker: search index,
notifications, emails). Every ``--interval`` seconds it reads the resident set size (VmRSS in
/proc) of the gunicorn worker and of the tasks worker.

Reports, for each process, RSS at the end of the warm-up, peak, end, and the slope of a
least-squares line over the samples after the warm-up, in MB per minute. The warm-up is the first
20 % of the samples, or with ``--warmup-minutes W`` W minutes of the same load before the
``--minutes`` measured (the worker's bounded caches fill during the first minutes: a worker in
its steady state is what "no growth" is about; the warm-up's own growth is reported beside).
Targets (issue 12): peak ≤ 200 MB, and no growth (slope ≤ 0.5 MB/min, that is under 5 MB over a
10-minute soak, within the allocator's noise). Appends the results to docs/benchmarks.md.

    .venv/bin/python benchmarks/soak_bench.py [--minutes 10] [--warmup-minutes 0] [--interval 5]
        [--postgres]
"""

import argparse
import datetime
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reply_bench import FormFields, free_port, run, wait_up
from summary import record

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
PEAK_MB = 200
SLOPE_MB_PER_MIN = 0.5

SEED = r"""
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.urls import reverse
from machina.core.db.models import get_model
from accounts import roles
from kb.models import PracticePage
Topic = get_model("forum_conversation", "Topic")
member = User.objects.create(username="soak", email="soak@example.fr", first_name="Soak", last_name="Test")
member.groups.add(Group.objects.get(name=roles.STAFF))
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(member.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = member.get_session_auth_hash()
store.create()
chapter = PracticePage.objects.live().public().filter(depth__gte=4).order_by("path").first()
topic = Topic.objects.filter(approved=True).order_by("-posts_count").first()
kwargs = {"forum_slug": topic.forum.slug, "forum_pk": topic.forum.pk}
print(store.session_key)
print(chapter.url)
print(reverse("forum:forum", kwargs={"slug": topic.forum.slug, "pk": topic.forum.pk}))
print(reverse("forum_conversation:topic", kwargs={**kwargs, "slug": topic.slug, "pk": topic.pk}))
print(reverse("forum_conversation:post_create", kwargs={**kwargs, "topic_slug": topic.slug, "topic_pk": topic.pk}))
"""

WORDS = ["absence", "accueil", "aide", "bulletin", "cantine", "classe", "conseil", "dossier", "école", "élève", "emploi", "examen", "formation", "inscription", "lycée", "note", "parent", "projet", "réunion", "sortie", "stage", "transport", "vacances"]  # fmt: skip


def status_mb(pid, field):
    """A field of /proc/PID/status in MB: RssAnon (the process's own heap and stacks), RssFile
    (pages of mapped files: code, libraries, SQLite's memory-mapped database, most of them
    shared with other processes and reclaimable by the kernel)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def rss_mb(pid):
    return status_mb(pid, "VmRSS")


def mapped_file_mb(pid, prefix):
    """The resident pages of the files whose path starts with ``prefix`` that the process maps
    (SQLite's memory-mapped database and its -shm index), in MB: the database's own pages,
    cached by the kernel whether a process maps them or reads them, and growing as the soak's
    replies grow the database."""
    total, inside = 0, False
    try:
        with open(f"/proc/{pid}/smaps") as smaps:
            for line in smaps:
                first = line.split(maxsplit=6)
                if len(first) >= 5 and "-" in first[0] and ":" in first[3]:
                    inside = len(first) > 5 and first[5].strip().startswith(prefix)
                elif inside and line.startswith("Rss:"):
                    total += int(line.split()[1])
    except FileNotFoundError:
        return None
    return total / 1024


def private_mb(pid):
    """USS: the pages only this process maps (Private_Clean + Private_Dirty), in MB."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except FileNotFoundError:
        return None
    fields = dict(line.split()[:2] for line in text.splitlines()[1:])
    return (int(fields["Private_Clean:"]) + int(fields["Private_Dirty:"])) / 1024


def children(pid):
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def descendants(pid):
    found = []
    for child in children(pid):
        found.append(child)
        found.extend(descendants(child))
    return found


def slope_per_minute(samples):
    """Least-squares slope of (seconds, MB) samples, in MB per minute."""
    if len(samples) < 3:
        return 0.0
    xs = [s for s, _ in samples]
    ys = [m for _, m in samples]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mean_x) ** 2 for x in xs)
    if not den:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / den * 60


class Load:
    """The client: a fixed cycle of reads and replies until ``stop`` is set."""

    def __init__(self, base, session_key, chapter, forum, topic, reply, reply_every):
        self.base, self.reply_path, self.reply_every = base, reply, reply_every
        self.session_key = session_key
        self.anonymous = requests.Session()
        self.member = requests.Session()
        self.member.cookies.set("sessionid", session_key, domain="127.0.0.1")
        self.pages = ["/", chapter, "/actualites/", "/forum/", forum, topic]
        self.stop = threading.Event()
        self.counts = {"anonymous": 0, "signed-in": 0, "replies": 0, "errors": 0}
        self.errors = []

    def get(self, http, path, kind):
        response = http.get(self.base + path, timeout=60)
        if response.status_code != 200:
            self.counts["errors"] += 1
            self.errors.append((path, response.status_code))
        else:
            self.counts[kind] += 1
        return response

    def reply(self, i):
        form = self.get(self.member, self.reply_path, "signed-in")
        # Production cookies are Secure; this client talks plain HTTP to 127.0.0.1.
        for cookie in list(self.member.cookies):
            cookie.secure = False
        parser = FormFields()
        parser.feed(form.text)
        data = dict(parser.fields)
        data["subject"] = "Re: soak"
        data["content"] = f"Réponse {i} du soak, pour @soak et au sujet de {WORDS[i % len(WORDS)]}."
        response = self.member.post(self.base + self.reply_path, data=data, allow_redirects=False,
                                    headers={"Referer": self.base + self.reply_path}, timeout=60)  # fmt: skip
        if response.status_code == 302:
            self.counts["replies"] += 1
        else:
            self.counts["errors"] += 1
            self.errors.append(("reply", response.status_code))

    def __call__(self):
        for i in itertools.count():
            if self.stop.is_set():
                return
            try:
                word = f"{WORDS[i % len(WORDS)]} {WORDS[(i // len(WORDS)) % len(WORDS)]}"
                for path in self.pages:
                    self.get(self.anonymous, path, "anonymous")
                self.get(self.anonymous, f"/recherche/?q={word}", "anonymous")
                for path in self.pages[3:]:
                    self.get(self.member, path, "signed-in")
                self.get(self.member, f"/recherche/?q={word}&page=1", "signed-in")
                if i % self.reply_every == 0:
                    self.reply(i)
            except requests.RequestException as error:
                self.counts["errors"] += 1
                self.errors.append(("request", str(error)[:200]))
                time.sleep(1)


def summary(samples, warmup_seconds=0):
    """The figures of one process: after the warm-up (``warmup_seconds``, or the first 20 % of
    the samples), and the warm-up's own growth."""
    if warmup_seconds:
        warm = max(1, sum(1 for t, _ in samples if t < warmup_seconds))
    else:
        warm = max(1, len(samples) // 5)
    steady = samples[warm - 1 :]
    return {
        "first": samples[0][1],
        "start": steady[0][1],
        "peak": max(m for _, m in samples),
        "end": samples[-1][1],
        "slope": slope_per_minute(steady),
        "warmup_slope": slope_per_minute(samples[:warm]),
    }


def build_site(work, postgres, database="passerelle_ops_soak", redis_db=6):
    """Build the demo site under ``work``; return the environment and the soak's
    session key, chapter, forum, topic and reply paths (also used by memory_profile.py)."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "SEARCH_URL", "FRONTEND_CACHE_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="soak-benchmark-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        PASSERELLE_VAR_DIR=str(work / "var"),
        PASSERELLE_DEMO="1",
        PYTHONPATH=str(ROOT),
        EMAIL_URL="dummy://",
        LOG_LEVEL="WARNING",
    )
    if postgres:
        env.update(
            DATABASE_URL=f"{PG_SERVER}/{database}",
            REDIS_URL=f"{REDIS_SERVER}/{redis_db}",
            PASSERELLE_TASKS_BACKEND="rq",
        )
        for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        subprocess.run(
            ["redis-cli", "-n", str(redis_db), "FLUSHDB"], check=True, capture_output=True
        )
    else:
        env["PASSERELLE_TASKS_BACKEND"] = "database"
    print("building the demo site…", flush=True)
    run([str(PYTHON), "manage.py", "migrate", "--no-input", "-v0"], env)
    run([str(PYTHON), "manage.py", "collectstatic", "--no-input", "-v0"], env)
    run([str(PYTHON), "manage.py", "load_demo_data"], env)
    return env, run([str(PYTHON), "-c", SEED], env).split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--warmup-minutes",
        type=float,
        default=0,
        help="minutes of the same load before the measured minutes (0: the first 20%% of samples)",
    )
    parser.add_argument("--interval", type=float, default=5, help="seconds between RSS samples")
    parser.add_argument(
        "--reply-every", type=int, default=2, help="one reply every N cycles of 11 reads"
    )
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="passerelle-soak-"))
    env, (session_key, chapter, forum, topic, reply) = build_site(work, args.postgres)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    worker_command = (
        ["manage.py", "rqworker", "default"] if args.postgres else ["manage.py", "tasks_worker"]
    )
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "config.wsgi",
         "--workers", "1", "--bind", f"127.0.0.1:{port}", "--max-requests", "0",
         "--access-logfile", "/dev/null", "--log-level", "warning"], env=env, cwd=ROOT)  # fmt: skip
    worker = subprocess.Popen([str(PYTHON), *worker_command], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    load = None
    # Judged: RSS less the pages of the SQLite file the process maps (they grow with the
    # database, not with the worker: see mapped_file_mb), and USS.
    samples = {
        "gunicorn worker, RSS less the mapped database file": [],
        "gunicorn worker, USS": [],
        "tasks worker, RSS less the mapped database file": [],
    }
    # Shown in the table, not targets: what RSS is made of.
    parts = ["gunicorn worker, RSS", "gunicorn worker, RssAnon", "gunicorn worker, RssFile",
             "gunicorn worker, the mapped database file", "tasks worker, RSS"]  # fmt: skip
    samples.update({name: [] for name in parts})
    RAW_RSS = {"gunicorn worker, RSS", "tasks worker, RSS"}
    database_file = "" if args.postgres else str(work / "var" / "passerelle.sqlite3")
    try:
        wait_up(base)
        (gunicorn_worker,) = children(server.pid)
        load = Load(base, session_key, chapter, forum, topic, reply, args.reply_every)
        thread = threading.Thread(target=load, daemon=True)
        started = time.monotonic()
        thread.start()
        deadline = started + (args.warmup_minutes + args.minutes) * 60
        while time.monotonic() < deadline:
            now = time.monotonic() - started
            # rqworker forks a work horse per job: count the worker and any horse alive.
            tasks = max((rss_mb(p) or 0, p) for p in [worker.pid, *descendants(worker.pid)])
            if server.poll() is not None or worker.poll() is not None:
                sys.exit("gunicorn or the tasks worker stopped during the soak")
            rss = rss_mb(gunicorn_worker)
            mapped = mapped_file_mb(gunicorn_worker, database_file) if database_file else 0.0
            tasks_mapped = mapped_file_mb(tasks[1], database_file) if database_file else 0.0
            for name, value in (
                ("gunicorn worker, RSS less the mapped database file", rss - mapped),
                ("gunicorn worker, USS", private_mb(gunicorn_worker)),
                ("tasks worker, RSS less the mapped database file", tasks[0] - tasks_mapped),
                ("gunicorn worker, RSS", rss),
                ("gunicorn worker, RssAnon", status_mb(gunicorn_worker, "RssAnon")),
                ("gunicorn worker, RssFile", status_mb(gunicorn_worker, "RssFile")),
                ("gunicorn worker, the mapped database file", mapped),
                ("tasks worker, RSS", tasks[0]),
            ):
                samples[name].append((now, value))
            print(f"{now:6.0f} s  gunicorn {rss:6.1f} MB (database file {mapped:5.1f} MB, "
                  f"USS {samples['gunicorn worker, USS'][-1][1]:6.1f} MB)  "
                  f"tasks {tasks[0]:6.1f} MB (database file {tasks_mapped:5.1f} MB)  {load.counts}",
                  flush=True)  # fmt: skip
            time.sleep(min(args.interval, max(0.0, deadline - time.monotonic())))
        load.stop.set()
        thread.join(timeout=120)
    finally:
        for process in (server, worker):
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    warmup = args.warmup_minutes * 60
    results = {name: summary(values, warmup) for name, values in samples.items()}
    options = f"--minutes {args.minutes:g}"
    if args.warmup_minutes:
        options += f" --warmup-minutes {args.warmup_minutes:g}"
    options += " --postgres" if args.postgres else ""
    soak = f"{args.minutes:g}-minute soak"
    if args.warmup_minutes:
        soak += f" after a {args.warmup_minutes:g}-minute warm-up"
    warmup_words = (
        f"the first {args.warmup_minutes:g} minutes of the same load"
        if args.warmup_minutes
        else "the first 20 % of the samples"
    )
    database = "PostgreSQL + Redis (RQ)" if args.postgres else "SQLite (database tasks backend)"
    lines = [
        "",
        f"## Worker memory over a {soak}, {database} ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`benchmarks/soak_bench.py {options}`, "
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; production "
        f"settings, demo data, gunicorn 1 sync worker and the tasks worker; one client cycling anonymous "
        f"and signed-in reads (home, chapter, notices, forum index, forum, topic, a search with a new "
        f"query each cycle), a reply every {args.reply_every} cycles of 11 reads; RSS (VmRSS) every "
        f"{args.interval:g} s; warm-up: {warmup_words}. Requests: {load.counts['anonymous']} anonymous, "
        f"{load.counts['signed-in']} signed-in, {load.counts['replies']} replies, "
        f"{load.counts['errors']} errors.",
        "",
        "| process | at start | after warm-up | peak | end | slope during warm-up | slope after warm-up | peak ≤ 200 MB | no growth (≤ 0.5 MB/min) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        peak = f"{'met' if r['peak'] <= PEAK_MB else 'NOT met'} |"
        slope = f"{'met' if r['slope'] <= SLOPE_MB_PER_MIN else 'NOT met'} |"
        if name in parts:
            peak = peak if name in RAW_RSS else "(what RSS is made of) |"
            slope = "(grows with the database) |" if name in RAW_RSS else " |"
        verdicts = f"{peak} {slope}"
        lines.append(
            f"| {name} | {r['first']:.1f} MB | {r['start']:.1f} MB | {r['peak']:.1f} MB | "
            f"{r['end']:.1f} MB | {r['warmup_slope']:+.2f} MB/min | "
            f"{r['slope']:+.2f} MB/min | {verdicts}"
        )
    print("\n".join(lines))
    command = f"soak_bench.py {options}"
    where = "PostgreSQL + Redis" if args.postgres else "SQLite"
    for name, r in results.items():
        if name in parts and name not in RAW_RSS:
            continue
        record(f"{name} memory, {soak}, {where}", f"peak ≤ {PEAK_MB} MB",
               f"{r['peak']:.1f} MB", r["peak"] <= PEAK_MB, command)  # fmt: skip
        if name in parts:
            continue  # the peak is judged on the whole RSS, the growth without the database
        record(f"{name} memory, {soak}, {where}",
               f"no growth (≤ {SLOPE_MB_PER_MIN} MB/min after warm-up)",
               f"{r['slope']:+.2f} MB/min ({r['start']:.1f} → {r['end']:.1f} MB)",
               r["slope"] <= SLOPE_MB_PER_MIN, command)  # fmt: skip
    if load.errors:
        print("errors (first 10):", load.errors[:10])
    if not args.no_write:
        with (ROOT / "docs" / "benchmarks.md").open("a") as file:
            file.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
