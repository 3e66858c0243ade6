"""Benchmark: the living guide's pages with a long history, and the guide PDF export.

    .venv/bin/python benchmarks/kb_guide.py [--chapters 20] [--versions 100] [--write]

Builds a throw-away SQLite database in a temporary directory: a guide of N chapters (each with
the whole set of blocks), one chapter published V times. Measures (Django test client, no
network): a chapter page, its history, the comparison of the two latest versions, the Atom feed,
the admin dashboard panel of an officer owning every page, and the PDF export of the whole guide
(cold, then cached). Peak Python memory of the PDF export with tracemalloc. --write appends the
results to docs/benchmarks.md.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(function, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapters", type=int, default=20)
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kb-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from kb.demo import TELEWORK_CHAPTERS
    from kb.structure import ensure_site_structure
    from tests import factories

    tree = ensure_site_structure()
    domain = factories.DomainFactory(name="Télétravail", slug="teletravail")
    officer = factories.make_officer(domain)
    guide = factories.make_guide(tree.guides, title="Guide du télétravail", domain=domain)
    chapters = []
    for i in range(args.chapters):
        _slug, title, intro, body = TELEWORK_CHAPTERS[i % len(TELEWORK_CHAPTERS)]
        chapters.append(
            factories.make_practice(
                guide, title=f"{title} ({i})", slug=f"chapitre-{i}", intro=intro, body=body,
                domain=domain, owner_officer=officer,
                last_reviewed_at=datetime.date.today() - datetime.timedelta(days=300),
            )
        )  # fmt: skip
    chapter = chapters[0].specific_class.objects.get(pk=chapters[0].pk)
    build = time.perf_counter()
    for v in range(args.versions):
        chapter.body = [
            *TELEWORK_CHAPTERS[v % len(TELEWORK_CHAPTERS)][3],
            {"type": "rich_text", "value": f"<p>Version {v}.</p>"},
        ]
        chapter.update_note = f"Version {v}"
        chapter.save_revision().publish()
    publish_ms = (time.perf_counter() - build) * 1000 / args.versions

    client = Client()
    officer_client = Client()
    officer_client.force_login(officer)
    url = chapter.url
    rows = []
    for label, c, path in [
        ("chapter page", client, url),
        (f"history ({args.versions} versions)", client, url + "historique/"),
        ("compare the two latest versions", client, url + "historique/comparer/"),
        ("Atom feed (50 latest)", client, "/guides/mises-a-jour.atom"),
        (f"admin dashboard ({args.chapters} pages due)", officer_client, "/admin/"),
    ]:
        if c.get(path).status_code != 200:
            raise SystemExit(f"{path} did not answer 200")
        p50, p95 = timed(lambda c=c, path=path: c.get(path), args.repeat)
        rows.append((label, p50, p95))

    from django.core.cache import cache

    cache.clear()
    start = time.perf_counter()
    response = client.get(guide.url + "pdf/")
    pdf_cold = (time.perf_counter() - start) * 1000
    # Memory in a second cold run: tracemalloc slows Python down several times, so it is kept
    # out of the timed one.
    cache.clear()
    tracemalloc.start()
    client.get(guide.url + "pdf/")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if response.status_code != 200:
        raise SystemExit("the PDF export did not answer 200")
    size = len(response.content) // 1024
    start = time.perf_counter()
    client.get(guide.url + "pdf/")
    pdf_warm = (time.perf_counter() - start) * 1000

    lines = [
        "",
        f"## Knowledge base: guide pages, history and PDF (`benchmarks/kb_guide.py`) – "
        f"{datetime.date.today().isoformat()}",
        "",
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"SQLite, local-memory cache; {args.chapters} chapters, one published {args.versions} "
        f"times; {args.repeat} requests each.",
        "",
        "| measure | p50 (ms) | p95 (ms) |",
        "|---|---|---|",
        *[f"| {label} | {p50:.1f} | {p95:.1f} |" for label, p50, p95 in rows],
        f"| publish one version (revision + history row + permissions) | {publish_ms:.1f} | – |",
        f"| PDF of the whole guide, cold ({size} KiB) | {pdf_cold:.0f} | – |",
        f"| PDF of the whole guide, cached | {pdf_warm:.1f} | – |",
        "",
        f"Peak Python memory of the cold PDF export: {peak / 1024 / 1024:.1f} MiB.",
    ]
    print("\n".join(lines))
    if args.write:
        with open(ROOT / "docs" / "benchmarks.md", "a") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
