# ruff: noqa: S603, S310, S101, E501 -- a local benchmark: fixed commands, 127.0.0.1 URLs, embedded seed code
"""Site search speed on a deterministic French corpus (issue #6).

Builds a fresh database (a SQLite file in a temporary directory, or the PostgreSQL database named by
--database-url, dropped and re-created), generates 50,000 forum posts (real machina rows, 10 per
topic, in 10 forums of 5 domains), 2,000 guide documents and 5,000 notice documents from 5
sources, each in one or two of 8 domains (search documents without Wagtail page rows: creating 7,000 Wagtail pages would take longer than everything measured here,
and the index does not know the difference), then reports:

- indexing time: `search.indexing.rebuild()` over the 50,000 posts (derive each document from its
  post, upsert, index) plus indexing the 7,000 page documents, and the index size;
- latency p50 / p95 of 30 fixed French queries through the real search view (gunicorn, 4 workers,
  127.0.0.1), one query at a time and with 8 clients at once, and the throughput with 8 clients.

Loops are bounded (--rounds). Results are printed and, with --append, added to docs/benchmarks.md.

    .venv/bin/python benchmarks/search_benchmark.py [--posts 50000] [--rounds 3] [--append]
    .venv/bin/python benchmarks/search_benchmark.py --database-url postgres://postgres@127.0.0.1:5432/passerelle_search_bench
"""

import argparse
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

QUERIES = [
    "VPN télétravail", "établissements", "inscriptions", "messagerie", "sécurité", "RGPD",
    "DPO", "visioconférence", "sauvegarde serveur", "mot de passe", "authentification",
    "Moodle", "Apogée", "Siham", "congés", "recrutement", "PCA", "annuaire LDAP",
    "wifi eduroam", "imprimante", "certificat", "hameçonnage", "ENT", "examens", "bourses",
    "budget", "marché public", "archivage", "accessibilité", "agents télétravail",
]  # fmt: skip

SEED = r"""
import json, random, sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from machina.core.db.models import get_model
from modelsearch.backends import get_search_backend
from search import indexing
from search.backend import title_norms_deferred
from kb.models import Domain
from notices.models import Source
from search.models import SearchDocument

POSTS, PAGES, NOTICES = (int(x) for x in sys.argv[1:4])
rng = random.Random(42)
Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")

SUBJECTS = ["VPN", "télétravail", "messagerie", "inscriptions", "établissement", "sécurité",
    "RGPD", "DPO", "visioconférence", "sauvegarde", "serveur", "mot de passe", "authentification",
    "Moodle", "Apogée", "Siham", "congés", "recrutement", "PCA", "annuaire", "LDAP", "wifi",
    "eduroam", "imprimante", "certificat", "hameçonnage", "ENT", "examens", "bourses", "budget",
    "marché public", "archivage", "accessibilité", "agents", "scolarité", "paie", "étudiants"]
WORDS = ("le la les un une des du de pour avec sans dans sur notre votre leur problème question "
    "solution configuration mise à jour version nouvelle ancienne procédure service direction "
    "université école composante équipe réseau poste utilisateur compte accès droits données "
    "fichier document guide recommandation règle politique calendrier rentrée semestre campus "
    "bâtiment salle réunion projet migration installation déploiement support ticket demande "
    "réponse délai semaine mois lundi mardi mercredi jeudi vendredi fonctionne bloque erreur "
    "message écran navigateur application logiciel outil plateforme licence contrat fournisseur "
    "établissements agents enseignants chercheurs personnels administratifs techniques").split()

def sentence(n):
    words = [rng.choice(WORDS) for _ in range(n)]
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randrange(len(words)), rng.choice(SUBJECTS))
    return " ".join(words).capitalize() + "."

users = User.objects.bulk_create([User(username=f"bench{i}", email=f"b{i}@example.fr") for i in range(50)])
# What the facets count on a real site: eight domains (the first five own a forum category of two
# forums each, whose posts take the domain), the five bodies whose notices are relayed.
DOMAINS = ["Télétravail", "Sécurité SI", "RH et Siham", "Scolarité", "Pédagogie numérique",
    "Finances", "Patrimoine", "Vie étudiante"]
SOURCES = [("Ministère de l'Enseignement supérieur", "MESR"), ("France Universités", "FU"),
    ("ANSSI / CERT-FR", "ANSSI"), ("CNIL", "CNIL"), ("Direction du numérique", "DNUM")]
forums, domains = [], []
for i, name in enumerate(DOMAINS):
    category = None
    if i < 5:
        category = Forum.objects.create(name=f"Banc d'essai {name}", type=Forum.FORUM_CAT)
        forums += [Forum.objects.create(name=f"Forum {s}", type=Forum.FORUM_POST, parent=category)
                   for s in SUBJECTS[2 * i:2 * i + 2]]
    domains.append(Domain.objects.create(name=name, slug=f"banc-{i}", forum=category))
sources = [Source.objects.create(name=name, acronym=acronym, slug=f"banc-{acronym.lower()}")
           for name, acronym in SOURCES]
topics_count = max(1, POSTS // 10)
topics = Topic.objects.bulk_create([
    Topic(forum=rng.choice(forums), poster=rng.choice(users), subject=sentence(6)[:200],
          slug=f"sujet-{i}", type=Topic.TOPIC_POST, status=Topic.TOPIC_UNLOCKED, approved=True,
          posts_count=10)
    for i in range(topics_count)], batch_size=2000)
topics = list(Topic.objects.order_by("pk"))
batch = []
for i in range(POSTS):
    topic = topics[i % topics_count]
    batch.append(Post(topic=topic, poster=rng.choice(users), subject=topic.subject,
                      content=" ".join(sentence(rng.randint(12, 30)) for _ in range(rng.randint(2, 5))),
                      approved=True))
    if len(batch) == 5000:
        Post.objects.bulk_create(batch); batch = []
if batch:
    Post.objects.bulk_create(batch)

def size():
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SELECT pg_total_relation_size('wagtailsearch_indexentry') + pg_total_relation_size('search_searchdocument') + pg_total_relation_size('search_searchdocument_domains')")
            return c.fetchone()[0]
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'wagtailsearch_indexentry%' OR name LIKE 'search_searchdocument%'")
        return c.fetchone()[0]

started = time.monotonic()
rebuilt = indexing.rebuild()
posts_seconds = time.monotonic() - started

started = time.monotonic()
now = timezone.now()
backend = get_search_backend()
docs = []
for i in range(PAGES + NOTICES):
    notice = i >= PAGES
    docs.append(SearchDocument(kind="notice" if notice else "guide", title=sentence(8)[:200],
        body=" ".join(sentence(rng.randint(15, 35)) for _ in range(rng.randint(4, 10))),
        url=f"/bench/{i}/", date=now - timezone.timedelta(days=rng.randint(0, 900)),
        source=rng.choice(sources) if notice else None))
through = SearchDocument.domains.through
with title_norms_deferred():  # as search.indexing.rebuild() does: refreshed once, below
    for start in range(0, len(docs), 2000):
        with transaction.atomic():
            SearchDocument.objects.bulk_create(docs[start:start + 2000])
            chunk = list(SearchDocument.objects.filter(url__in=[d.url for d in docs[start:start + 2000]]))
            through.objects.bulk_create([through(searchdocument_id=doc.pk, domain_id=d.pk)
                for doc in chunk for d in rng.sample(domains, rng.randint(1, 2))])
            backend.add_bulk(SearchDocument, chunk)
index = backend.get_index_for_model(SearchDocument)
if hasattr(index, "_refresh_title_norms"):
    index._refresh_title_norms(full=True)
pages_seconds = time.monotonic() - started
if connection.vendor == "postgresql":
    # What autovacuum does after a bulk load: the index updates above left dead row versions
    # that the planner and the GIN scans would otherwise wade through.
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
print(json.dumps({"documents": SearchDocument.objects.count(), "posts_seconds": posts_seconds,
                  "pages_seconds": pages_seconds, "index_bytes": size(), "vendor": connection.vendor}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def timed_get(base, query):
    url = f"{base}/recherche/?{urllib.parse.urlencode({'q': query})}"
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        assert response.status == 200, response.status
    assert "résultat" in body.decode(), query
    return (time.perf_counter() - started) * 1000


def run_clients(base, clients, rounds):
    jobs = [q for _ in range(rounds) for q in QUERIES]
    latencies, lock = [], threading.Lock()

    def worker(offset):
        for query in jobs[offset::clients]:
            ms = timed_get(base, query)
            with lock:
                latencies.append(ms)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return latencies, len(jobs) / elapsed


def reset_postgres(url):
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=2_000)
    parser.add_argument("--notices", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3, help="times each query is sent per run")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--append", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/search-bench.sqlite3"
        if url.startswith("postgres"):
            reset_postgres(url)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": url,
            "PASSERELLE_VAR_DIR": tmp,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)
        print("migrating…", flush=True)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        print("generating and indexing the corpus…", flush=True)
        seeded = subprocess.run(
            [PYTHON, "-c", SEED, str(args.posts), str(args.pages), str(args.notices)],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        corpus = json.loads(seeded.stdout.strip().splitlines()[-1])
        print(corpus, flush=True)

        port = free_port()
        server = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    timed_get(base, "VPN")
                    break
                except OSError:
                    time.sleep(0.2)
            run_clients(base, args.workers, 1)  # warm every worker
            one, _qps1 = run_clients(base, 1, args.rounds)
            eight, qps8 = run_clients(base, 8, args.rounds)
        finally:
            server.terminate()
            server.wait(timeout=30)

    total_index = corpus["posts_seconds"] + corpus["pages_seconds"]
    report = (
        f"\n## Site search (`benchmarks/search_benchmark.py`), {corpus['vendor']}, "
        f"{datetime.date.today().isoformat()}\n\n"
        f"Machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"Corpus: {args.posts:,} forum posts, {args.pages:,} guide and {args.notices:,} notice "
        f"documents ({corpus['documents']:,} documents), deterministic (seed 42). gunicorn "
        f"{args.workers} workers; {len(QUERIES)} French queries × {args.rounds} rounds through "
        "the real view (every word required, facets, highlighted excerpts, 20 per page).\n\n"
        "| measure | value |\n|---|---|\n"
        f"| rebuild of the {args.posts:,} posts (derive, upsert, index) | {corpus['posts_seconds']:.1f} s |\n"
        f"| indexing of the {args.pages + args.notices:,} page documents | {corpus['pages_seconds']:.1f} s |\n"
        f"| total indexing | {total_index:.1f} s |\n"
        f"| index size (documents + full-text index) | {corpus['index_bytes'] / 1_048_576:.0f} MiB |\n"
        f"| p50 / p95, 1 client | {statistics.median(one):.0f} ms / {percentile(one, 95):.0f} ms |\n"
        f"| p50 / p95, 8 clients | {statistics.median(eight):.0f} ms / {percentile(eight, 95):.0f} ms |\n"
        f"| throughput, 8 clients | {qps8:.0f} queries/s |\n"
    )
    print(report)
    if args.append:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as out:
            out.write(report)


if __name__ == "__main__":
    sys.exit(main())
