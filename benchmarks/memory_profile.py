# ruff: noqa: E501 -- a local profiling tool: long report lines
"""Memory profile of the soak's load in one process: where a worker's memory goes and what grows.

Builds the soak's demo site (``soak_bench.build_site``: production settings, SQLite, or
``--postgres`` with Redis), then, in this one process, loads ``config.wsgi``'s application and
replays the soak's cycle (soak_bench's ``Load``: anonymous and signed-in reads, a search with a
new query each cycle, a reply every ``--reply-every`` cycles) by calling the WSGI application
directly, the way gunicorn's sync worker does (one request at a time, ``close()`` at the end).

After ``--warmup`` cycles, and then after every ``--cycles`` cycles for ``--rounds`` rounds, it
prints, side by side: RSS (VmRSS) and USS (private pages, from /proc/self/smaps_rollup), the
Python objects' memory (``sys.getallocatedblocks`` and, with ``--tracemalloc``, the traced
size), glibc malloc's in-use and free bytes (``mallinfo2``), and the size of each in-process
cache (locmem caches: entries and the bytes of their pickled values). Growth of RSS that neither
Python's heap nor malloc's in-use bytes explain is the allocator keeping freed memory (arenas).
With ``--tracemalloc``, it also prints the top differences between the first and last snapshots,
by file and by traceback.

    .venv/bin/python benchmarks/memory_profile.py [--warmup 30] [--cycles 60] [--rounds 3]
        [--tracemalloc] [--postgres]
"""

import argparse
import ctypes
import functools
import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reply_bench import FormFields
from soak_bench import WORDS, build_site

ROOT = Path(__file__).resolve().parent.parent


def proc_kb(field, path="/proc/self/status"):
    for line in Path(path).read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def uss_mb():
    rollup = "/proc/self/smaps_rollup"
    private = proc_kb("Private_Clean", rollup) + proc_kb("Private_Dirty", rollup)
    return private / 1024


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")
    ]  # fmt: skip


LIBC = ctypes.CDLL("libc.so.6")
LIBC.mallinfo2.restype = MallInfo2


def malloc_mb():
    """glibc malloc: bytes in use, bytes free but kept (main and other arenas, plus mmapped)."""
    info = LIBC.mallinfo2()
    return (info.uordblks + info.hblkhd) / 2**20, info.fordblks / 2**20


class Response:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.headers = headers
        self.text = body.decode("utf-8", "replace")


class WSGIClient:
    """Enough of a browser for the soak: cookies, GET and form POST, straight into the app."""

    def __init__(self, application):
        from django.test import RequestFactory

        self.application = application
        self.factory = RequestFactory(SERVER_NAME="127.0.0.1", SERVER_PORT="80")
        self.cookies = {}

    def request(self, request):
        environ = request.environ
        environ.pop("HTTP_COOKIE", None)
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        environ["HTTP_HOST"] = "127.0.0.1"
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = status, headers

        result = self.application(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        for name, value in started["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
        return Response(started["status"], started["headers"], body)

    def get(self, path):
        return self.request(self.factory.get(path))

    def post(self, path, data, referer):
        return self.request(self.factory.post(path, data, HTTP_REFERER=referer))


class Replay:
    """soak_bench's cycle, in process."""

    def __init__(self, application, session_key, chapter, forum, topic, reply, reply_every):
        self.anonymous = WSGIClient(application)
        self.member = WSGIClient(application)
        self.member.cookies["sessionid"] = session_key
        self.pages = ["/", chapter, "/actualites/", "/forum/", forum, topic]
        self.reply_path, self.reply_every = reply, reply_every
        self.i = 0
        self.errors = []

    def check(self, response, what):
        if response.status_code not in {200, 302}:
            self.errors.append((what, response.status_code))
        return response

    def cycle(self):
        i = self.i
        word = f"{WORDS[i % len(WORDS)]} {WORDS[(i // len(WORDS)) % len(WORDS)]}"
        for path in self.pages:
            self.check(self.anonymous.get(path), path)
        self.check(self.anonymous.get(f"/recherche/?q={word}"), "search")
        for path in self.pages[3:]:
            self.check(self.member.get(path), path)
        self.check(self.member.get(f"/recherche/?q={word}&page=1"), "search")
        if i % self.reply_every == 0:
            form = self.check(self.member.get(self.reply_path), "reply form")
            parser = FormFields()
            parser.feed(form.text)
            data = dict(parser.fields)
            data["subject"] = "Re: soak"
            data["content"] = (
                f"Réponse {i} du soak, pour @soak et au sujet de {WORDS[i % len(WORDS)]}."
            )
            response = self.member.post(self.reply_path, data, "http://127.0.0.1" + self.reply_path)
            if response.status_code != 302:
                self.errors.append(("reply", response.status_code))
        self.i += 1


def cache_sizes():
    """Entries and pickled bytes of every local-memory cache of this process."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    sizes = {}
    for alias in caches:
        cache = caches[alias]
        if isinstance(cache, LocMemCache):
            values = list(cache._cache.values())
            sizes[alias] = (len(values), sum(len(v) for v in values) / 2**20)
    return sizes


def other_caches():
    """Sizes of in-process caches outside Django's cache framework that could grow."""
    found = {}
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and obj.cache_info().currsize >= 200:
            found[f"{obj.__module__}.{obj.__qualname__}"] = obj.cache_info().currsize
    return found


def report(label, started, replay, traced):
    gc.collect()
    in_use, free = malloc_mb()
    line = (
        f"{label:>10}  {time.monotonic() - started:6.0f} s  RSS {proc_kb('VmRSS') / 1024:6.1f} MB"
        f" (anon {proc_kb('RssAnon') / 1024:6.1f}, file {proc_kb('RssFile') / 1024:5.1f})"
        f"  USS {uss_mb():6.1f} MB  blocks {sys.getallocatedblocks() / 1e6:5.2f} M"
        f"  malloc in use {in_use:6.1f} MB  free {free:5.1f} MB"
    )
    if traced:
        line += f"  traced {tracemalloc.get_traced_memory()[0] / 2**20:6.1f} MB"
    print(line, flush=True)
    caches = "  ".join(f"{a}: {n} / {mb:.1f} MB" for a, (n, mb) in cache_sizes().items())
    print(f"{'':>10}  caches {caches}  errors {len(replay.errors)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=30, help="cycles before the first reading")
    parser.add_argument("--cycles", type=int, default=60, help="cycles between readings")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reply-every", type=int, default=2)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument(
        "--malloc-trim-every", type=int, default=0,
        help="call glibc's malloc_trim(0) every N cycles, as gunicorn's post_request hook could",
    )  # fmt: skip
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--site", help="reuse a site built by an earlier run (its directory)")
    parser.add_argument("--database", default="passerelle_memory")
    parser.add_argument("--redis-db", type=int, default=13)
    args = parser.parse_args()

    if args.site:
        env, seed = json.loads((Path(args.site) / "site.json").read_text())
    else:
        work = Path(tempfile.mkdtemp(prefix="passerelle-memory-"))
        env, seed = build_site(work, args.postgres, args.database, args.redis_db)
        (work / "site.json").write_text(json.dumps([env, seed]))
        print(f"site in {work} (--site {work} reuses it)")
    os.environ.clear()
    os.environ.update(env)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    print(f"before Django: RSS {proc_kb('VmRSS') / 1024:.1f} MB", flush=True)
    from config.wsgi import application

    print(f"after config.wsgi: RSS {proc_kb('VmRSS') / 1024:.1f} MB  USS {uss_mb():.1f} MB")
    replay = Replay(application, *seed, args.reply_every)
    started = time.monotonic()
    for _ in range(args.warmup):
        replay.cycle()
    if args.tracemalloc:
        tracemalloc.start(args.frames)
    report("warm-up", started, replay, args.tracemalloc)
    first = tracemalloc.take_snapshot() if args.tracemalloc else None
    for n in range(args.rounds):
        for i in range(args.cycles):
            replay.cycle()
            if args.malloc_trim_every and i % args.malloc_trim_every == 0:
                LIBC.malloc_trim(0)
        report(f"+{(n + 1) * args.cycles}", started, replay, args.tracemalloc)
    if replay.errors:
        print("errors (first 10):", replay.errors[:10])
    print("functools caches of 200 entries or more:", other_caches())
    if args.tracemalloc:
        last = tracemalloc.take_snapshot()
        filters = [tracemalloc.Filter(False, tracemalloc.__file__)]
        first, last = first.filter_traces(filters), last.filter_traces(filters)
        print(f"\ntop growth by file over {args.rounds * args.cycles} cycles:")
        for stat in last.compare_to(first, "filename")[: args.top]:
            print(
                f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d}  {stat.traceback[0].filename}"
            )
        print("\ntop growth by traceback:")
        for stat in last.compare_to(first, "traceback")[: args.top]:
            print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d}")
            for frame in stat.traceback.format()[-2 * args.frames :]:
                print("      " + frame)


if __name__ == "__main__":
    main()
