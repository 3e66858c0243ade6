# ruff: noqa: S603, E501 -- a local profiling helper: fixed commands, embedded code
"""Where a reply POST spends its time: in-process, on the data of ``benchmarks/reply_bench.py``.

Builds the reply benchmark's database (SQLite in a temporary directory, or with ``--postgres`` the
PostgreSQL database ``--pg-database`` and Redis db ``--redis-db``), then posts ``--replies``
replies with Django's test client and the benchmark's settings (``benchmarks.forum_settings``,
tasks after commit: the database backend on SQLite, RQ on Redis). No worker runs: only the
request's own work is measured. Prints, per reply, the milliseconds, the SQL queries (count
and time) and the Redis commands (count and time), then the queries and Redis commands of one
reply, grouped, with ``--sql``, and a pyinstrument profile of all the replies with ``--profile``.

    .venv/bin/python benchmarks/reply_profile.py [--postgres] [--replies 30] [--sql] [--profile]
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reply_bench as bench

MEASURE = r"""
import collections, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
import redis.connection

session_key, reply_path, replies, show_sql, profile, trace = sys.argv[1:]
import traceback
traced = []
replies = int(replies)

class Counter:
    def __init__(self):
        self.reset()
    def reset(self):
        self.calls = []

sql = Counter()
red = Counter()

def sql_wrapper(execute, statement, params, many, context):
    started = time.perf_counter()
    try:
        return execute(statement, params, many, context)
    finally:
        sql.calls.append((statement, time.perf_counter() - started))
        if trace and trace in statement and not traced:
            traced.append("".join(traceback.format_stack(limit=30)[:-2]))

# Every Redis command, pipelines included, goes through one packed write and one read per reply.
original_send = redis.connection.AbstractConnection.send_packed_command
original_read = redis.connection.AbstractConnection.read_response
pending = {}

def send_packed_command(self, command, check_health=True):
    pending[id(self)] = (time.perf_counter(), len(red.calls))
    if trace and trace.startswith("redis:") and not traced:
        traced.append("".join(traceback.format_stack(limit=30)[:-1]))
    raw = command if isinstance(command, (bytes, bytearray, memoryview)) else b"".join(bytes(c) for c in command)
    parts = bytes(raw).split(b"\r\n")
    names = [" ".join(x.decode(errors="replace")[:60] for x in parts[i + 2:i + 6:2]) for i, p in enumerate(parts[:-2]) if p.startswith(b"*") and i + 2 < len(parts)]
    red.calls.append(["+".join(names) if len(names) > 1 else (names[0] if names else "?"), 0.0])
    return original_send(self, command, check_health)

def read_response(self, *args, **kwargs):
    try:
        return original_read(self, *args, **kwargs)
    finally:
        started, index = pending.get(id(self), (None, None))
        if started is not None and index < len(red.calls):
            red.calls[index][1] = time.perf_counter() - started

redis.connection.AbstractConnection.send_packed_command = send_packed_command
redis.connection.AbstractConnection.read_response = read_response

client = Client(HTTP_HOST="127.0.0.1")
client.cookies["sessionid"] = session_key
form = client.get(reply_path)
assert form.status_code == 200, form.status_code
sys.path.insert(0, "benchmarks")
from reply_bench import FormFields
parser = FormFields()
parser.feed(form.content.decode())
fields = parser.fields

def post(i):
    data = dict(fields)
    data["subject"] = "Re: Sujet suivi"
    data["content"] = f"Réponse {i} pour @membre2 et @membre3."
    response = client.post(reply_path, data, HTTP_REFERER="http://127.0.0.1" + reply_path)
    assert response.status_code == 302, (response.status_code, response.content[-500:])

for i in range(5):  # warm-up
    post(i)

rows = []
last = None
for i in range(replies):
    sql.reset(); red.reset()
    with connection.execute_wrapper(sql_wrapper):
        started = time.perf_counter()
        post(100 + i)
        elapsed = time.perf_counter() - started
    rows.append((elapsed, len(sql.calls), sum(t for _, t in sql.calls), len(red.calls), sum(t for _, t in red.calls)))
    last = (list(sql.calls), list(red.calls))

def med(k):
    return statistics.median(r[k] for r in rows)

print(f"{connection.vendor}, {replies} replies: p50 {1000 * med(0):.1f} ms "
      f"(min {1000 * min(r[0] for r in rows):.1f}); SQL {med(1):.0f} queries, {1000 * med(2):.1f} ms; "
      f"Redis {med(3):.0f} round trips, {1000 * med(4):.1f} ms")
if show_sql == "1":
    print("\nSQL of the last reply (ms, statement):")
    for statement, t in last[0]:
        print(f"  {1000 * t:6.2f}  {' '.join(statement.split())[:220]}")
    print("\nRedis round trips of the last reply (ms, command):")
    for name, t in last[1]:
        print(f"  {1000 * t:6.2f}  {name[:200]}")
if traced:
    print("\nFirst traced statement, from:\n" + traced[0])
if profile == "1":
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for i in range(replies):
        post(1000 + i)
    profiler.stop()
    print(profiler.output(ConsoleRenderer(unicode=True, color=False, time="percent_of_total", show_all=False)))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--replies", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="list the SQL and Redis of one reply")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profile")
    parser.add_argument("--trace", default="", metavar="TEXT",
                        help="print the stack of the first SQL statement containing TEXT")  # fmt: skip
    parser.add_argument("--pg-database", default=bench.PG_DATABASE)
    parser.add_argument("--redis-db", type=int, default=bench.REDIS_DB)
    parser.add_argument("--reuse", metavar="FILE",
                        help="PostgreSQL: keep the database seeded by the run that wrote FILE "
                             "(its session and reply path), or seed it and write FILE")  # fmt: skip
    args = parser.parse_args()
    names = {"pg_database": args.pg_database, "redis_db": args.redis_db}
    backend = "rq" if args.postgres else "database"
    with tempfile.TemporaryDirectory() as var_dir:
        saved = Path(args.reuse) if args.reuse and args.postgres else None
        if saved is not None and saved.exists():
            session_key, reply_path = saved.read_text().split()
        else:
            session_key, reply_path = bench.prepare(var_dir, args.postgres, **names)
            if saved is not None:
                saved.write_text(f"{session_key} {reply_path}")
        env = bench.env_for(var_dir, args.postgres, backend, **names)
        argv = [
            session_key,
            reply_path,
            str(args.replies),
            str(int(args.sql)),
            str(int(args.profile)),
            args.trace,
        ]
        subprocess.run(
            [str(bench.PYTHON), "-c", MEASURE, *argv], env=env, cwd=bench.ROOT, check=True
        )


if __name__ == "__main__":
    main()
