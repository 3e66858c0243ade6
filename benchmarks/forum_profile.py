# ruff: noqa: S603, E501 -- a local profiling helper: fixed commands, embedded code
"""Where a signed-in forum page spends its time: in-process, on the benchmark's data.

Builds the database of ``benchmarks/forum_bench.py`` in a temporary directory, then, for
Passerelle and for machina as it ships, requests the forum index and the topic page as the
signed-in staff reader with Django's test client: milliseconds per request (best of 3 runs of
``--requests``), the SQL of one request with ``--sql``, a pyinstrument profile with ``--profile``.

    .venv/bin/python benchmarks/forum_profile.py [--requests 30] [--sql] [--profile]
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forum_bench as bench

MEASURE = r"""
import sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
cookie, n, sql, profile, *paths = sys.argv[1:]
FLAT = profile == "flat"
profile = "1" if FLAT else profile
name, value = cookie.split("=", 1)
client = Client(HTTP_HOST="127.0.0.1")
client.cookies[name] = value
for path in paths:
    for _ in range(3):
        client.get(path)
    best = min(
        (lambda t: (sum(client.get(path).status_code == 200 for _ in range(int(n))), time.perf_counter() - t)[1])(time.perf_counter())
        for _ in range(3)
    )
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    print(f"{path}: {1000 * best / int(n):.1f} ms, {len(ctx.captured_queries)} queries")
    if sql == "1":
        for q in ctx.captured_queries:
            print("   ", q["sql"][:300])
    if profile == "1":
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(int(n)):
            client.get(path)
        profiler.stop()
        from pyinstrument.renderers import ConsoleRenderer
        print(profiler.output(ConsoleRenderer(unicode=True, color=False, flat=FLAT, time="percent_of_total")))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--flat", action="store_true", help="flat profile (self time per function)")
    parser.add_argument("--only", choices=["ours", "machina"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        env = bench.env_for(var_dir, vanilla=False)
        subprocess.run(
            [str(bench.PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"],
            env=env, cwd=bench.ROOT, check=True,
        )  # fmt: skip
        topic_path = bench.run(bench.SEED, env).splitlines()[-1]
        cookie = bench.run(bench.SESSION, env).splitlines()[-1]
        for name, vanilla in (("ours", False), ("machina", True)):
            if args.only and args.only != name:
                continue
            print(f"== {name}")
            print(
                bench.run(
                    MEASURE,
                    bench.env_for(var_dir, vanilla),
                    cookie,
                    str(args.requests),
                    "1" if args.sql else "0",
                    "flat" if args.flat else "1" if args.profile else "0",
                    "/forum/",
                    topic_path,
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
