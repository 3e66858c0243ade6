"""What a shared cache may keep: Cache-Control and cache tags on every response.

Rules, first match wins:

1. Not GET / HEAD, a signed-in person, a request carrying a session or a pending message, a
   response that sets a cookie, or a path that is not a public page → ``private, no-store``.
2. A public page (Wagtail pages and their routes, feeds, forum index / forum / topic, search) seen
   by an anonymous reader, answered 200 or 404 → ``public, max-age=0, s-maxage=N``: browsers
   revalidate every time, the front cache keeps it N seconds (``PASSERELLE_FRONT_CACHE_TTL``) or
   until a purge, whichever comes first. N never reaches past the next local midnight, when
   notices expire (they leave the urgent banner and the default list without any event to purge on).
3. Anything else keeps what its view said, else ``private, no-store``.

Public responses carry ``X-Cache-Tags`` (comma-separated): Varnish keeps it on the object and
bans on it (``purge.ban_tags``), then strips it before delivery.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.cache import patch_cache_control

PRIVATE = "private, no-store"
TAGS_HEADER = "X-Cache-Tags"

# Views whose anonymous answer is the same for every anonymous reader.
PUBLIC_VIEWS = {
    "wagtail_serve",
    "search",
    "kb:feed",
    "kb:domain_feed",
    "forum:index",
    "forum:forum",
    "forum_conversation:topic",
    "forum_feeds:latest_topics",
    "forum_feeds:forum_latest_topics",
    "forum_feeds:forum_latest_topics_with_descendants",
    # Establishment pages (issue 14): their anonymous answer shows public forums only.
    "establishments:list",
    "establishments:detail",
}
CACHEABLE_STATUSES = {200, 404}
# Cookies whose presence makes the page personal (sessionid: signed in or a page password;
# messages: a "merci" or an error to show once).
PERSONAL_COOKIES = {
    settings.SESSION_COOKIE_NAME,
    getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
}


def add_tags(request, *tags):
    """Tag the response to ``request`` (called by views and hooks while the page is built)."""
    if not hasattr(request, "_frontcache_tags"):
        request._frontcache_tags = set()
    request._frontcache_tags.update(tags)


def tags_for_view(request):
    """Tags that follow from the URL alone: forum, topic, feed, search."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return set()
    name, kwargs = match.view_name, match.kwargs
    if name == "forum:index":
        return {"forum-index"}
    if name == "forum:forum":
        return {f"forum-{kwargs['pk']}"}
    if name == "forum_conversation:topic":
        return {f"topic-{kwargs['pk']}", f"forum-{kwargs['forum_pk']}"}
    if name.startswith("forum_feeds:"):
        tags = {"forum-feed"}
        if "forum_pk" in kwargs:
            tags.add(f"forum-{kwargs['forum_pk']}")
        return tags
    if name == "search":
        return {"search"}
    if name in {"kb:feed", "kb:domain_feed"}:
        return {"feed"}
    return set()


def shared_max_age(now=None):
    ttl = settings.PASSERELLE_FRONT_CACHE_TTL
    now = timezone.localtime(now)
    midnight = timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), time.min))
    return max(1, min(ttl, int((midnight - now).total_seconds())))


def _is_personal(request, response):
    if request.method not in {"GET", "HEAD"}:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if PERSONAL_COOKIES & set(request.COOKIES):
        return True
    return bool(response.cookies)


def _view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


class CacheHeadersMiddleware:
    """Listed right after SecurityMiddleware, so it sees every cookie the others set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_personal(request, response):
            self._private(response)
        elif _view_name(request) in PUBLIC_VIEWS and response.status_code in CACHEABLE_STATUSES:
            if "no-store" in response.get("Cache-Control", "") or "private" in response.get(
                "Cache-Control", ""
            ):
                return response
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, public=True, max_age=0, s_maxage=shared_max_age())
            tags = tags_for_view(request) | getattr(request, "_frontcache_tags", set())
            if tags:
                response[TAGS_HEADER] = ",".join(sorted(tags))
        elif not response.has_header("Cache-Control") or "public" in response["Cache-Control"]:
            self._private(response)
        return response

    @staticmethod
    def _private(response):
        response.headers.pop("Expires", None)
        response.headers.pop(TAGS_HEADER, None)
        response["Cache-Control"] = PRIVATE
