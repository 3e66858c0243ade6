# ruff: noqa: S603, S310, S101, E501 -- a local benchmark: fixed commands, 127.0.0.1 URLs, embedded code
"""Front cache: Varnish in front of gunicorn against nginx serving a saved copy, side by side.

Builds the demo site (production settings, SQLite) in a temporary directory, starts gunicorn (one
sync worker), Varnish with deploy/varnish/passerelle.vcl in front of it, and nginx serving the
same pages saved as files; then for home, a chapter, the notices list, the forum index and a topic,
runs wrk (-t2 -c32, a few seconds each, interleaved: Varnish, nginx, Varnish, nginx) and reports
the ratio Varnish / nginx (target >= 0.6). Then publishes a correction to the chapter, and an
urgent notice, from another process, polling through Varnish until each is visible (target <= 2 s).
Appends the results to docs/benchmarks.md with the machine and the date.

    .venv/bin/python benchmarks/front_cache_bench.py [--seconds 3] [--rounds 2]
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
VCL = ROOT / "deploy" / "varnish" / "passerelle.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk") or "/usr/bin/wrk"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


URLS = r"""
import django
django.setup()
from kb.models import PracticePage
from machina.core.db.models import get_model
Topic = get_model("forum_conversation", "Topic")
chapter = PracticePage.objects.live().public().filter(depth__gte=4).order_by("path").first()
topic = Topic.objects.filter(approved=True, forum__name__isnull=False).order_by("-posts_count").first()
from django.urls import reverse
print(chapter.url)
print(chapter.pk)
print(reverse("forum_conversation:topic", kwargs={"forum_slug": topic.forum.slug, "forum_pk": topic.forum.pk, "slug": topic.slug, "pk": topic.pk}))
"""

PUBLISH = r"""
import sys, time
import django
django.setup()
from kb.models import PracticePage
page = PracticePage.objects.get(pk=int(sys.argv[1])).specific
page.title = sys.argv[2]
revision = page.save_revision()
start = time.time()
revision.publish()
print(start, time.time(), flush=True)
time.sleep(15)  # keep the process (and its teardown) out of the measured window
"""

URGENT = r"""
import sys, time, datetime
import django
django.setup()
from notices.models import NoticeIndexPage, NoticePage, Source
index = NoticeIndexPage.objects.first()
notice = NoticePage(title=sys.argv[1], slug="alerte-banc-essai", source=Source.objects.first(),
    original_published_at=datetime.date.today(), priority=NoticePage.Priority.URGENT,
    impact="Banc d'essai.", summary="Banc d'essai.")
index.add_child(instance=notice)
revision = notice.save_revision()
start = time.time()
revision.publish()
print(start, time.time(), flush=True)
time.sleep(15)  # keep the process (and its teardown) out of the measured window
"""


def run(args, env, code=None):
    command = [str(PYTHON), *(["-c", code] if code else []), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"benchmark step failed: {args}\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def wait_http(url, tries=150):
    for _ in range(tries):
        try:
            return urllib.request.urlopen(url, timeout=5).read()
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} never answered")


def wrk(url, seconds):
    out = subprocess.run(
        [WRK, "-t2", "-c32", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def publish_in_background(args, env, code):
    """Start the publishing process; return (start, end) as soon as it has published, while
    the process still runs (its exit is not part of the measure)."""
    process = subprocess.Popen(
        [str(PYTHON), "-c", code, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    line = process.stdout.readline()
    if not line:
        sys.exit("publishing failed")
    return process, *map(float, line.split())


def poll_until(url, text, started, limit=10.0):
    while time.time() - started < limit:
        with urllib.request.urlopen(url) as response:
            if text in response.read().decode():
                return time.time() - started
        time.sleep(0.02)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="passerelle-frontbench-"))
    work.chmod(0o755)
    varnish_port, app_port, nginx_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "SEARCH_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="front-cache-benchmark-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        PASSERELLE_VAR_DIR=str(work / "var"),
        FRONTEND_CACHE_URL=f"http://127.0.0.1:{varnish_port}",
        PASSERELLE_DEMO="1",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    print("building the demo site…", flush=True)
    run(["manage.py", "migrate", "--no-input", "-v0"], env)
    run(["manage.py", "collectstatic", "--no-input", "-v0"], env)
    run(["manage.py", "load_demo_data"], env)
    chapter_url, chapter_pk, topic_url = run([], env, URLS).splitlines()
    pages = {
        "home": "/",
        "chapter": chapter_url,
        "notices list": "/actualites/",
        "forum index": "/forum/",
        "topic": topic_url,
    }

    processes = []
    try:
        processes.append(subprocess.Popen(
            [str(GUNICORN), "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{app_port}",
             "--log-level", "warning"], env=env, cwd=ROOT))  # fmt: skip
        wait_http(f"http://127.0.0.1:{app_port}/")
        vcl = VCL.read_text().replace('.port = "8001";', f'.port = "{app_port}";')
        # The health probe asks /sante/ with one of the allowed hosts.
        vcl = vcl.replace('"Host: passerelle.example.fr"', '"Host: 127.0.0.1"')
        (work / "bench.vcl").write_text(vcl)
        (work / "bench.vcl").chmod(0o644)
        processes.append(subprocess.Popen(
            [VARNISHD, "-F", "-n", str(work / "varnish"), "-a", f"127.0.0.1:{varnish_port}",
             "-T", "127.0.0.1:0", "-f", str(work / "bench.vcl"), "-s", "malloc,64m"],
            stdout=subprocess.DEVNULL))  # fmt: skip
        varnish = f"http://127.0.0.1:{varnish_port}"
        wait_http(varnish + "/")
        # nginx serves what Varnish serves, saved as files.
        static = work / "nginx-root"
        static.mkdir()
        static.chmod(0o755)
        for i, path in enumerate(pages.values()):
            body = wait_http(varnish + path)
            (static / f"p{i}.html").write_bytes(body)
            (static / f"p{i}.html").chmod(0o644)
        (work / "nginx.conf").write_text(f"""
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    client_body_temp_path {work}/nginx-tmp;
    proxy_temp_path {work}/nginx-tmp;
    fastcgi_temp_path {work}/nginx-tmp;
    uwsgi_temp_path {work}/nginx-tmp;
    scgi_temp_path {work}/nginx-tmp;
    server {{ listen 127.0.0.1:{nginx_port}; root {static}; }}
}}
""")
        processes.append(subprocess.Popen(
            [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"]))  # fmt: skip
        wait_http(f"http://127.0.0.1:{nginx_port}/p0.html")

        results = {}
        for name, path in pages.items():
            i = list(pages).index(name)
            with urllib.request.urlopen(varnish + path) as response:
                assert response.headers["X-Cache"] == "HIT", (name, response.headers["X-Cache"])
            v_runs, n_runs = [], []
            for _ in range(args.rounds):
                v_runs.append(wrk(varnish + path, args.seconds))
                n_runs.append(wrk(f"http://127.0.0.1:{nginx_port}/p{i}.html", args.seconds))
            v, n = sum(v_runs) / len(v_runs), sum(n_runs) / len(n_runs)
            results[name] = (v, n, v / n)
            print(
                f"{name:14} varnish {v:9.0f} req/s  nginx {n:9.0f} req/s  ratio {v / n:.2f}",
                flush=True,
            )

        # Publish a correction, then an urgent notice, from another process; poll through Varnish.
        wait_http(varnish + chapter_url)
        title = "Correction publiée pour le banc de mesure"
        publisher, start, end = publish_in_background([chapter_pk, title], env, PUBLISH)
        chapter_delay = poll_until(varnish + chapter_url, title, start)
        publisher.kill()
        wait_http(varnish + "/")
        banner_title = "Alerte du banc de mesure"
        publisher, b_start, b_end = publish_in_background([banner_title], env, URGENT)
        banner_delay = poll_until(varnish + "/", banner_title, b_start)
        publisher.kill()
        print(f"publish: {end - start:.2f} s; visible through Varnish after {chapter_delay} s")
        print(f"urgent notice: {b_end - b_start:.2f} s; banner on home after {banner_delay} s")
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)

    command = f"front_cache_bench.py --seconds {args.seconds} --rounds {args.rounds}"
    for name, (v, n, ratio) in results.items():
        record(f"{name}, through Varnish", "≥ ×0.6 nginx serving a saved copy",
               f"×{ratio:.2f} ({v:.0f} vs {n:.0f} req/s)", ratio >= 0.6, command)  # fmt: skip
    for what, delay in (
        ("a chapter's correction", chapter_delay),
        ("the urgent banner", banner_delay),
    ):
        record(f"{what} visible to an anonymous reader after Publish", "≤ 2 s",
               "not within 10 s" if delay is None else f"{delay:.2f} s",
               delay is not None and delay <= 2, command)  # fmt: skip
    if args.no_write:
        return
    machine = f"{platform.node()}, {os.cpu_count()} cores, {platform.platform()}"
    lines = [
        "",
        f"## Front cache: Varnish vs nginx serving a saved copy (`benchmarks/front_cache_bench.py`) – {datetime.date.today()}",
        "",
        f"`.venv/bin/python benchmarks/front_cache_bench.py --seconds {args.seconds} --rounds {args.rounds}`: "
        "gunicorn (1 sync worker, production settings, SQLite, demo data) behind Varnish with "
        "`deploy/varnish/passerelle.vcl`; nginx (2 workers) serving the same pages saved as files; "
        f"wrk -t2 -c32, {args.seconds} s per run, {args.rounds} interleaved rounds, mean. Machine: {machine} "
        "(shared with other work during the run).",
        "",
        "| page | Varnish req/s | nginx req/s | ratio | target ≥ 0.6 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, (v, n, ratio) in results.items():
        lines.append(
            f"| {name} | {v:.0f} | {n:.0f} | ×{ratio:.2f} | {'met' if ratio >= 0.6 else 'not met'} |"
        )

    def verdict(delay):
        return (
            "not visible within 10 s: not met"
            if delay is None
            else f"{delay:.2f} s: {'met' if delay <= 2 else 'not met'}"
        )

    lines += [
        "",
        f"- A chapter's correction published from another process (publish call {end - start:.2f} s), "
        f"first anonymous GET through Varnish showing it: {verdict(chapter_delay)} (target ≤ 2 s, "
        "counted from the start of the publish call).",
        f"- An urgent notice published ({b_end - b_start:.2f} s): banner on the cached home page after "
        f"{verdict(banner_delay)} (a ban of every object, not a short TTL).",
        "",
    ]
    with open(ROOT / "docs" / "benchmarks.md", "a") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    main()
