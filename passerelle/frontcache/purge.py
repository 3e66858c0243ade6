"""Purging the front cache: PURGE one URL, BAN by tag, after commit, never failing the request.

Both go to the backends of Wagtail's frontend cache module (``WAGTAILFRONTENDCACHE``, set from
``FRONTEND_CACHE_URL``). ``VarnishBackend`` is Wagtail's ``HTTPBackend`` with a timeout, a warning
instead of an exception when Varnish is unreachable, and a ``ban()`` for tags: Varnish stores each
page's ``X-Cache-Tags`` and ``passerelle.vcl`` turns ``BAN`` with ``X-Ban-Tags: <regex>`` into
``ban("obj.http.X-Cache-Tags ~ <regex>")`` (a lurker-friendly ban on the object alone).
"""

import logging
import re
import threading
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import transaction
from wagtail.contrib.frontend_cache.backends import HTTPBackend
from wagtail.contrib.frontend_cache.utils import get_backends

logger = logging.getLogger(__name__)

TIMEOUT = 2  # seconds: a purge waits this long at most for Varnish
ALL = "*"  # ban every object (the urgent banner is on every page)
TAG = re.compile(r"[a-z0-9-]+")


class _MethodRequest(Request):
    def __init__(self, *args, method, **kwargs):
        super().__init__(*args, **kwargs)
        self._method = method

    def get_method(self):
        return self._method


class VarnishBackend(HTTPBackend):
    """Wagtail's HTTP backend (PURGE per URL) plus BAN by tag, both bounded and fail-soft."""

    def _send(self, method, path, headers):
        url = urlunsplit([self.cache_scheme, self.cache_netloc, path, "", ""])
        request = _MethodRequest(url, headers=headers, method=method)
        try:
            with urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (configured URL)
                return response.status
        except OSError as error:  # URLError, HTTPError, timeouts, refused connections
            logger.warning(
                "Front cache: %s %s failed (%s); pages may stay stale.", method, path, error
            )
            return None

    def purge(self, url):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self._send("PURGE", path, {"Host": parts.netloc, "User-Agent": "Passerelle-purge"})

    def ban(self, tags):
        if ALL in tags:
            pattern = "."
        else:
            # Tags are [a-z0-9-] (checked): no quoting needed in Varnish's ban expression.
            pattern = "(^|,)(" + "|".join(sorted(t for t in tags if TAG.fullmatch(t))) + ")(,|$)"
        return self._send("BAN", "/", {"X-Ban-Tags": pattern, "User-Agent": "Passerelle-purge"})


def enabled():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def _backends():
    return list(get_backends().values())


def ban_tags(tags):
    """Ban every cached object carrying one of ``tags`` (``{ALL}``: everything), now."""
    tags = set(tags)
    if not tags:
        return
    for backend in _backends():
        if hasattr(backend, "ban"):
            backend.ban(tags)
        else:  # another Wagtail backend (CloudFront, …): no tags, only URL purges
            logger.info("Front cache: backend %r cannot ban tags %s", backend, sorted(tags))


def purge_urls(urls):
    for backend in _backends():
        for url in urls:
            backend.purge(url)


# --- After commit, one BAN per transaction ----------------------------------------------------

_pending = threading.local()


def _flush():
    from passerelle import pagecache

    tags = getattr(_pending, "tags", set())
    _pending.tags = set()
    # The page cache inside Django first: Varnish's next miss must not fetch a copy rendered
    # before the commit (passerelle/pagecache.py renews its token again at commit, but its
    # callback may come after this one).
    pagecache.reset()
    ban_tags(tags)


def ban_after_commit(*tags, using="default"):
    """Queue tags; they are banned together once the transaction commits (at once outside one).

    Each call registers a callback; the first to run sends every queued tag and the others find
    nothing left. Tags of a transaction rolled back stay queued and go with the next commit: one
    needless ban, never a missed one."""
    if not enabled():
        return
    if not hasattr(_pending, "tags"):
        _pending.tags = set()
    _pending.tags.update(tags)
    transaction.on_commit(_flush, using=using)
