# ruff: noqa: S603, S310, S101, E501 -- a local benchmark: fixed commands, 127.0.0.1 URLs, embedded code
"""Pages behind the front cache: Passerelle against a new `wagtail start` project, side by side.

Builds, in a temporary directory, the Passerelle demo site (production settings, SQLite) and a
fresh `wagtail start` project made with the installed Wagtail (its production settings, SQLite,
migrated). Serves each with gunicorn (one sync worker) on 127.0.0.1, plus a second Passerelle
server with the page cache switched off (PASSERELLE_PAGE_CACHE=0, informative: what a miss
costs). Runs wrk (-t2 -c32, no cookie: a first-time visitor) in interleaved rounds over every
target, so that the load other work puts on the machine falls on all of them alike, and counts the
queries of each page (a miss and a hit) with Django's test client. Target: Passerelle's home and a
guide chapter ≥ 1.0× the reference home. Writes its section of docs/benchmarks.md.

    .venv/bin/python benchmarks/pages_bench.py [--seconds 5] [--rounds 3] [--no-write]
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
WAGTAIL = ROOT / ".venv" / "bin" / "wagtail"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
SECTION = "## Pages without the front cache: Passerelle vs a new `wagtail start` project (`benchmarks/pages_bench.py`)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


URLS = r"""
import django
django.setup()
from kb.models import PracticePage
chapter = PracticePage.objects.live().public().filter(depth__gte=4).order_by("path").first()
print(chapter.url)
"""

# Queries of one anonymous GET: the first (a miss: a full render) and the second (a hit).
COUNT = r"""
import sys
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
try:
    from passerelle import pagecache
    pagecache.reset()
except ImportError:
    pass
for url in sys.argv[1:]:
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(queries))
    print(url, *counts)
"""


def run(args, env, code=None, cwd=ROOT, python=PYTHON):
    command = [str(python), *(["-c", code] if code else []), *args]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode:
        sys.exit(f"benchmark step failed: {args}\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def wait_http(url, tries=150):
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read(), response.headers
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} never answered")


def wrk(url, seconds):
    out = subprocess.run(
        [WRK, "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 40,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} error responses under load\n{out}")
    return rate


def build_reference(work):
    """A new `wagtail start` project, its production settings, migrated, static files collected."""
    project = work / "reference"
    project.mkdir()
    subprocess.run(
        [str(WAGTAIL), "start", "refsite", str(project)], check=True, capture_output=True
    )
    (project / "refsite" / "settings" / "bench.py").write_text(
        "from .production import *  # noqa\n"
        "DEBUG = False\n"
        "SECRET_KEY = 'reference-benchmark-" + "x" * 40 + "'\n"
        "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']\n"
        "LOGGING = {'version': 1, 'disable_existing_loggers': False}\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SEARCH_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SETTINGS_MODULE="refsite.settings.bench", PYTHONPATH=str(project))
    run(["manage.py", "migrate", "--no-input", "-v0"], env, cwd=project)
    run(["manage.py", "collectstatic", "--no-input", "-v0"], env, cwd=project)
    return project, env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started = time.time()

    work = Path(tempfile.mkdtemp(prefix="passerelle-pagesbench-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SEARCH_URL", "FRONTEND_CACHE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="pages-benchmark-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        PASSERELLE_VAR_DIR=str(work / "var"),
        PASSERELLE_DEMO="1",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    processes = []
    try:
        print("building the demo site and the reference project…", flush=True)
        run(["manage.py", "migrate", "--no-input", "-v0"], env)
        run(["manage.py", "collectstatic", "--no-input", "-v0"], env)
        run(["manage.py", "load_demo_data"], env)
        chapter_url = run([], env, URLS)
        reference, ref_env = build_reference(work)
        pages = {"home": "/", "guide chapter": chapter_url, "notices list": "/actualites/"}

        queries = {}
        for line in run(list(pages.values()), env, COUNT).splitlines():
            url, miss, hit = line.split()
            queries[url] = (int(miss), int(hit))
        ref_miss, ref_hit = map(int, run(["/"], ref_env, COUNT, cwd=reference).split()[1:])

        ports = {"passerelle": free_port(), "uncached": free_port(), "reference": free_port()}
        servers = {
            "passerelle": (env, ROOT, "config.wsgi"),
            "uncached": ({**env, "PASSERELLE_PAGE_CACHE": "0"}, ROOT, "config.wsgi"),
            "reference": (ref_env, reference, "refsite.wsgi"),
        }
        for name, (server_env, cwd, app) in servers.items():
            processes.append(subprocess.Popen(
                [str(GUNICORN), app, "--workers", "1", "--worker-class", "sync",
                 "--bind", f"127.0.0.1:{ports[name]}", "--log-level", "warning"],
                env=server_env, cwd=cwd))  # fmt: skip
        for port in ports.values():
            wait_http(f"http://127.0.0.1:{port}/")

        base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        targets = {"reference home": base["reference"] + "/"}
        for name, path in pages.items():
            targets[f"Passerelle {name}"] = base["passerelle"] + path
        # Informative: the chapter rendered for every request (the cost right after a change).
        targets["Passerelle guide chapter, page cache off"] = base["uncached"] + chapter_url
        # Warm every target once; check that the cached server answers from its page cache.
        for name, url in targets.items():
            wait_http(url)
            if name.startswith("Passerelle") and "off" not in name:
                _body, headers = wait_http(url)
                assert headers.get("X-Page-Cache") == "hit", (name, headers.get("X-Page-Cache"))
                assert "Set-Cookie" not in headers, name

        runs = {name: [] for name in targets}
        for round_number in range(args.rounds):
            for name, url in targets.items():
                runs[name].append(wrk(url, args.seconds))
            print(f"round {round_number + 1}/{args.rounds} done", flush=True)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)

    mean = {name: sum(values) / len(values) for name, values in runs.items()}
    reference_rate = mean["reference home"]
    elapsed = time.time() - started
    for name, rate in mean.items():
        print(f"{name:42} {rate:8.0f} req/s  ×{rate / reference_rate:.2f}  runs {runs[name]}")

    for name in ("Passerelle home", "Passerelle guide chapter"):
        ratio = mean[name] / reference_rate
        record(f"{name.removeprefix('Passerelle ')}, first-time visitor, no front cache",
               "≥ ×1.0 a new `wagtail start` home",
               f"×{ratio:.2f} ({mean[name]:.0f} vs {reference_rate:.0f} req/s)", ratio >= 1.0,
               f"pages_bench.py --seconds {args.seconds} --rounds {args.rounds}")  # fmt: skip
    if args.no_write:
        return
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    machine = f"{os.cpu_count()} cores (nproc), {cpu}, {platform.platform()}"

    def row(label, name, url, target, cached=True):
        rate = mean[name]
        ratio = rate / reference_rate
        miss, hit = queries[url]
        hit = hit if cached else "— (every request renders)"
        verdict = ("met" if ratio >= 1.0 else "not met") if target else "(no target)"
        return f"| {label} | {rate:.0f} | {miss} | {hit} | ×{ratio:.2f} | {verdict} |"

    lines = [
        SECTION,
        "",
        f"Run of {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"`.venv/bin/python benchmarks/pages_bench.py --seconds {args.seconds} --rounds {args.rounds}` "
        f"({elapsed:.0f} s in all). Machine: {machine}.",
        "",
        "Each server is gunicorn with one sync worker, production settings (DEBUG off), SQLite: "
        "Passerelle with its demo data, and a new `wagtail start` project made by the installed "
        "Wagtail (its own production settings, migrated, its home page). wrk -t2 -c32, "
        f"{args.seconds} s per run, no cookie (a first-time visitor), {args.rounds} rounds in which "
        "every target runs once in turn; the mean of the rounds. Other work shared the 2-core "
        "machine during the run (other helpers' tests); interleaving the rounds spreads that load "
        "over every target alike, so the ratios are fairer than the absolute rates. Queries: one "
        "anonymous GET with Django's test client, the first after a change (the page rendered) and "
        "the next (served by the page cache); the first also rebuilds the fragments and Wagtail's "
        "site root cache, which later renders read from the cache. Runs per target (req/s): "
        + "; ".join(
            f"{name} {', '.join(f'{v:.0f}' for v in values)}" for name, values in runs.items()
        )
        + ".",
        "",
        "| page | req/s | queries, rendered | queries, from the page cache | ratio to the reference home | target ≥ 1.0× |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| reference: `wagtail start` home | {reference_rate:.0f} | {ref_miss} | {ref_hit} | ×1.00 | |",
        row("Passerelle home", "Passerelle home", "/", True),
        row("Passerelle guide chapter", "Passerelle guide chapter", chapter_url, True),
        row("Passerelle notices list", "Passerelle notices list", "/actualites/", False),
    ]
    lines.append(
        row(
            "Passerelle guide chapter, page cache off",
            "Passerelle guide chapter, page cache off",
            chapter_url,
            False,
            cached=False,
        )
    )
    lines += [
        "",
        'The page cache (passerelle/pagecache.py, README "Page and fragment cache") keeps whole '
        "anonymous Wagtail pages under a generation token renewed by every content write and at "
        'commit; the row "page cache off" is a second server on the same database with '
        "`PASSERELLE_PAGE_CACHE=0`, what a reader pays right after a change.",
        "",
    ]
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text()
    block = "\n".join(lines)
    if SECTION in text:  # replace the previous run of this benchmark, keep everyone else's
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        text = text[:start] + block + ("\n" + text[following + 1 :] if following != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


if __name__ == "__main__":
    main()
