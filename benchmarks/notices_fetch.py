"""Benchmark: fetch_notices on large feeds and /actualites/ with many notices (127.0.0.1 only).

    .venv/bin/python benchmarks/notices_fetch.py [--entries 500] [--notices 1000] [--write]

Builds a throw-away SQLite database in a temporary directory, serves generated RSS feeds from an
HTTP server on 127.0.0.1, and measures: the first fetch of a feed of N entries (parse + ingest),
a refetch answered 304, a refetch of the unchanged body (no ETag), a refetch where every entry
changed, and the rendering of /actualites/, its Atom feed and the banner with M notices. Peak
Python memory is measured with tracemalloc. --write appends the results to docs/benchmarks.md.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_feed(entries, version):
    items = []
    for i in range(entries):
        items.append(
            f"<item><title>Avis de sécurité n° {i} (v{version})</title>"
            f"<link>https://www.cert.ssi.gouv.fr/avis/CERTFR-2026-AVI-{i:04d}/</link>"
            f"<guid isPermaLink='false'>CERTFR-2026-AVI-{i:04d}</guid>"
            f"<pubDate>Thu, 26 Nov 2026 10:15:00 +0100</pubDate>"
            f"<description><![CDATA[<p>De multiples vulnérabilités ont été découvertes "
            f"(<strong>version {version}</strong>). " + "Texte de l'avis. " * 20 + "</p>]]>"
            "</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>CERT-FR</title><link>https://www.cert.ssi.gouv.fr/</link><description>x"
        "</description>" + "".join(items) + "</channel></rss>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b""
    etag = '"v1"'
    use_etag = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        cls = type(self)
        if cls.use_etag and self.headers.get("If-None-Match") == cls.etag:
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(cls.body)))
        if cls.use_etag:
            self.send_header("ETag", cls.etag)
        self.end_headers()
        self.wfile.write(cls.body)


def check(condition):
    if not condition:
        raise SystemExit("benchmark: unexpected result")


def timed(fn, repeat=1):
    durations = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        durations.append((time.perf_counter() - start) * 1000)
    return result, durations


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    entries = min(args.entries, 5000)
    notices = min(args.notices, 5000)

    tmp = tempfile.mkdtemp(prefix="passerelle-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ["NOTICES_FETCH_MAX_BYTES"] = str(20 * 1024 * 1024)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from kb.structure import ensure_site_structure
    from notices.fetcher import fetch_feed
    from notices.models import FeedEntry, NoticePage, Source, SourceFeed

    tree = ensure_site_structure()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    source = Source.objects.create(acronym="CERT-FR", name="ANSSI / CERT-FR")
    feed = SourceFeed.objects.create(source=source, url=url)

    rows = []
    Handler.body = make_feed(entries, 1)
    size_kb = len(Handler.body) // 1024
    result, d = timed(lambda: fetch_feed(SourceFeed.objects.get(pk=feed.pk)))
    check(result.ok and result.ingest.created == entries)
    rows.append((f"first fetch, {entries} entries ({size_kb} KiB), all new", d[0], None))

    _r, d = timed(lambda: fetch_feed(SourceFeed.objects.get(pk=feed.pk)), repeat=5)
    check(_r.not_modified)
    rows.append(("refetch answered 304 (ETag), median of 5", statistics.median(d), None))

    Handler.use_etag = False
    _r, d = timed(lambda: fetch_feed(SourceFeed.objects.get(pk=feed.pk)), repeat=3)
    check(_r.ingest.unchanged == entries)
    rows.append(("refetch, same body, no ETag, median of 3", statistics.median(d), None))

    Handler.body = make_feed(entries, 2)
    _r, d = timed(lambda: fetch_feed(SourceFeed.objects.get(pk=feed.pk)))
    check(_r.ingest.updated == entries)
    rows.append((f"refetch, every one of {entries} entries changed", d[0], None))

    # Memory apart: tracemalloc slows Python down several times, so it is never timed.
    other = Source.objects.create(acronym="MEM", name="Mesure mémoire")
    other_feed = SourceFeed.objects.create(source=other, url=url)
    tracemalloc.start()
    _r = fetch_feed(other_feed)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    check(_r.ingest.created == entries)
    rows.append((f"peak Python memory, first fetch of {entries} entries", None, peak))
    server.shutdown()

    for i in range(notices):
        page = NoticePage(
            title=f"Avis {i}",
            slug=f"avis-{i}",
            source=source,
            summary="Résumé de l'avis. " * 10,
            priority="urgent" if i % 100 == 0 else "information",
            impact="<p>Agir.</p>",
            original_published_at=datetime.date(2026, 11, 1) - datetime.timedelta(days=i % 700),
        )
        tree.notices.add_child(instance=page)
    client = Client()
    for path in ["/actualites/", "/actualites/?source=cert-fr&priorite=urgent",
                 "/actualites/atom/", "/actualites/rss/?annee=2026", "/"]:  # fmt: skip
        client.get(path)
        _r, d = timed(lambda p=path: client.get(p), repeat=20)
        rows.append(
            (
                f"GET {path} with {notices} notices (p50 / p95 of 20)",
                (statistics.median(d), sorted(d)[int(len(d) * 0.95) - 1]),
                None,
            )
        )

    lines = []
    for label, ms, peak in rows:
        if ms is None:
            value = ""
        elif isinstance(ms, tuple):
            value = f"{ms[0]:.0f} ms / {ms[1]:.0f} ms"
        else:
            value = f"{ms:.0f} ms"
        memory = f"{peak / 1024 / 1024:.1f} MiB" if peak else ""
        lines.append(f"| {label} | {value} | {memory} |")
    table = "\n".join(["| measure | time | peak Python memory |", "|---|---|---|", *lines])
    print(table)
    print(f"entries in queue: {FeedEntry.objects.count()}")
    if args.write:
        header = (
            f"\n## Notices relay: fetch_notices and /actualites/ "
            f"(`benchmarks/notices_fetch.py --entries {entries} --notices {notices}`)\n\n"
            f"{datetime.date.today().isoformat()}, {platform.node() or 'machine'}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite. "
            "Feeds served from 127.0.0.1.\n\n"
        )
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as out:
            out.write(header + table + "\n")


if __name__ == "__main__":
    main()
