"""gunicorn settings for Passerelle: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi``.

Used by ``deploy/gunicorn.service`` and by ``benchmarks/soak_bench.py`` (which overrides the
worker count, the address and recycling on its command line), so that the memory measured is the
memory of the configuration deployed.

Memory (docs/benchmarks.md, "Worker memory"): the application is imported once, in the master,
before the workers are forked (``preload_app``), so Django, Wagtail, machina, their code and the
compiled settings (~95 MB once imported) are pages that every worker shares with the master,
instead of a copy per worker. ``gc.freeze()`` moves what the master imported out of the cyclic
garbage collector's reach, so a collection in a worker does not write to those objects and
copy their pages into the worker (CPython's advice for pre-fork servers, see the ``gc`` docs).
Shared pages still count in each worker's RSS; what a worker adds is its USS (private pages).

With ``preload_app`` a code deployment needs ``systemctl restart passerelle``: ``reload`` (HUP)
starts new workers from the master, which still holds the old code.

Every ``TRIM_EVERY`` requests a worker asks glibc to give back the free memory it keeps inside
its heap (``malloc_trim``): cache entries replaced and pages rendered leave holes that malloc
would otherwise keep resident (benchmarks/memory_profile.py ``--malloc-trim-every``).
"""

import ctypes
import ctypes.util
import gc

bind = "127.0.0.1:8001"
workers = 4
# Each worker is replaced after 2000 ± 200 requests: a safety net; the in-memory caches have
# their own bounds in bytes (config/settings/base.py).
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
timeout = 60
preload_app = True


def when_ready(server):
    """In the master, after the application is imported and before the first worker is forked."""
    from django.db import connections

    # A connection opened while importing must not be inherited by the workers (one socket or
    # SQLite handle shared by several processes); each worker opens its own on first use.
    for connection in connections.all(initialized_only=True):
        connection.close()
    gc.collect()
    gc.freeze()


TRIM_EVERY = 500
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
_malloc_trim = getattr(_libc, "malloc_trim", None)  # glibc only
_served = [0]


def post_request(worker, req, environ, resp):
    """In a worker, after each request: every TRIM_EVERY requests, malloc_trim(0) (~0.03 ms)."""
    _served[0] += 1
    if _malloc_trim is not None and _served[0] % TRIM_EVERY == 0:
        _malloc_trim(0)
