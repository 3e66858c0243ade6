"""The page cache inside Django: whole anonymous pages, and the site-wide fragments, by generation.

Without a front cache (or on a miss behind it), every first-time visitor used to cost a full
render. Two caches, one invalidation:

- ``PageCacheMiddleware`` keeps the whole response of a public Wagtail page for anonymous
  readers, the way Varnish would: only GET, only a request carrying no session, message or SAML
  cookie and no ``Authorization``, only a 200 that ``CacheHeadersMiddleware`` marked
  ``Cache-Control: public`` and that sets no cookie, for a reader who is not signed in. A hit
  costs no query. Signed-in people, and anyone with a session, always get a fresh render.
- ``fragment(name, build)`` keeps what every page repeats (the urgent banner, a guide's chapter
  navigation) so that a miss costs fewer queries, and the same number whatever the site's size.

Both are keyed by a **generation** token, replaced by ``bump()`` whenever something a public page
shows changes: any write to the site's content models (pages, revisions published, snippets,
images, documents, tags, notices, forum topics and posts, privacy settings) and Wagtail's publish,
unpublish and move signals. The token is replaced at once and again after the transaction
commits, so that a page rendered from the old data in between is never kept under the new token.
The key also carries the local date: notices that expire at midnight leave the banner without an
event, and no entry outlives the next midnight.

Where the token lives: in the shared cache (Redis) when ``REDIS_URL`` is set, so that every app
server sees a change at once; otherwise in a small file (``PASSERELLE_CACHE_GENERATION_FILE``),
which every worker process of the one machine reads (a local-memory cache is per process).
"""

import hashlib
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.utils import timezone

from passerelle.frontcache.headers import PERSONAL_COOKIES, shared_max_age

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "pagecache:generation"
# Cookies that make a request personal, beyond those the front cache knows (the SAML session).
BYPASS_COOKIES = PERSONAL_COOKIES | {getattr(settings, "SAML_SESSION_COOKIE_NAME", "saml_session")}
# Views whose anonymous 200 is kept whole (the forum has its own cache, forum_html).
CACHED_VIEWS = {"wagtail_serve"}
# Headers added again on the way out by the middleware around this one.
UNSTORED_HEADERS = {"x-request-id", "server-timing"}


def _cache():
    return caches[CACHE_ALIAS]


def _generation_file():
    name = getattr(settings, "PASSERELLE_CACHE_GENERATION_FILE", "")
    return Path(name) if name else None


def _write_token(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    token = uuid.uuid4().hex
    temporary.write_text(token)
    os.replace(temporary, path)  # atomic: a reader sees the old token or the new one
    return token


def generation():
    """The current token (made on first use)."""
    path = _generation_file()
    if path is not None:
        try:
            return path.read_text() or _write_token(path)
        except FileNotFoundError:
            return _write_token(path)
    cache = caches["default"]
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        token = cache.get(GENERATION_KEY)
    return token


def reset():
    """A new token now: every cached page and fragment is forgotten.

    Called by every content write: an unreachable Redis must not make the editor's write fail
    (the pages kept in that Redis are unreachable too; once it is back, they last at most
    ``PASSERELLE_PAGE_CACHE_TTL``), so the failure is logged and the write goes on."""
    path = _generation_file()
    try:
        if path is not None:
            _write_token(path)
        else:
            caches["default"].set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception as error:
        logger.error(
            "Page cache token not renewed (%s): cached pages may outlive this change", error
        )


def _after_commit():
    reset()


def bump(using=DEFAULT_DB_ALIAS):
    """Something public changed: new token now, and again once the transaction commits."""
    reset()
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    # One callback per transaction (a page publish writes dozens of rows).
    if any(entry[1] is _after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_after_commit, using=using)


def _key(kind, *parts, token=None):
    token = token or generation()
    day = timezone.localdate().isoformat()
    digest = hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"{kind}:{token}:{day}:{digest}"


def _ttl():
    return min(settings.PASSERELLE_PAGE_CACHE_TTL, shared_max_age())


# --- Fragments ----------------------------------------------------------------------------------


def fragment(name, build, *parts):
    """``build()``'s result, kept until the next change (or midnight). The value must pickle."""
    try:
        key = _key("fragment", name, *parts)
        cache = _cache()
        value = cache.get(key)
    except Exception as error:  # the cache (Redis) is down: render, never fail the page
        logger.warning("Page cache unavailable (%s): fragment %s rendered", error, name)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, _ttl())
        except Exception as error:
            logger.warning("Page cache unavailable (%s): fragment %s not kept", error, name)
    return value


# --- Whole pages --------------------------------------------------------------------------------


def _may_serve(request):
    if not settings.PASSERELLE_PAGE_CACHE or request.method != "GET":
        return False
    return not (BYPASS_COOKIES & set(request.COOKIES) or "HTTP_AUTHORIZATION" in request.META)


def _may_store(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "public" not in response.get("Cache-Control", ""):
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in CACHED_VIEWS:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)


class PageCacheMiddleware:
    """Listed after SecurityMiddleware and before CacheHeadersMiddleware: it stores the answer
    the cache headers were decided on, and serves a hit before any session or user is loaded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_serve(request):
            return self.get_response(request)
        try:
            host = request.get_host()
        except Exception:  # DisallowedHost: let Django answer it
            return self.get_response(request)
        try:
            token = generation()
            key = _key("page", request.scheme, host, request.get_full_path(), token=token)
            cache = _cache()
            stored = cache.get(key)
        except Exception as error:  # the cache (Redis) is down: render, never fail the page
            logger.warning("Page cache unavailable (%s): page rendered", error)
            return self.get_response(request)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            # s-maxage as if rendered now: never past the next midnight.
            response["Cache-Control"] = f"public, max-age=0, s-maxage={shared_max_age()}"
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _may_store(request, response):
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in UNSTORED_HEADERS
            ]
            # Stored under the token read before rendering: a change during the render has
            # already replaced it, so this copy is never served after that change.
            try:
                cache.set(key, (response.status_code, headers, response.content), _ttl())
            except Exception as error:
                logger.warning("Page cache unavailable (%s): page not kept", error)
            else:
                response["X-Page-Cache"] = "miss"
        return response
