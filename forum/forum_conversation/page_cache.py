"""The whole topic page and the forum index, cached for anonymous readers without a session.

Anonymous readers who carry no session all see the same page: no name, no form, no message, no
CSRF token. Their topic pages are kept in the cache (``TIMEOUT`` seconds at most) under a key made
of everything the content depends on, read from the database on every request:

- ``topic.updated``: set whenever one of the topic's posts is created, edited, hidden, approved,
  moved or deleted (machina's ``Post.save()`` → ``Topic.update_trackers()``, or for a reply the
  two UPDATEs of ``forum_conversation.models.Post``), and when the topic itself is locked, moved
  or changes type;
- the accepted answer and the practice page linked to the topic (and whether it is live);
- the page's own URL and page number (the canonical URL only, ``?page=N`` only, so the number of
  entries stays bounded by the number of topic pages).

The forum index (``/forum/`` without parameters) is keyed on the forums' last update and on the
anonymous forum permissions (``anonymous_index_key``).

What is read on every request is never taken from the cache: the topic and whether its forum may
be read at all (404 otherwise, before this cache is looked at), so a private forum's topic is never
served from it, and a post created, edited or hidden a moment ago changes the key. What a cached
page may show late, by ``TIMEOUT`` seconds at most, is the chrome around the posts: the urgent
banner, the forum names of the breadcrumb, the authors' names and post counts. A page that used a
CSRF token, set a cookie, touched the session or shows a poll is never stored.
"""

import hashlib
from urllib.parse import unquote

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

TIMEOUT = 60
ALLOWED_COOKIES = {settings.CSRF_COOKIE_NAME}


def _page_number(request):
    if not request.GET:
        return "1"
    if set(request.GET) != {"page"}:
        return None
    values = request.GET.getlist("page")
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 6:
        return None
    return str(int(values[0]))


def anonymous_reader(request):
    """A GET by an anonymous visitor who carries no session or message cookie."""
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not set(request.COOKIES) - ALLOWED_COOKIES
    )


def _key(prefix, state):
    return f"{prefix}:{hashlib.sha256(repr(state).encode()).hexdigest()}"


def anonymous_page_key(request, topic, state):
    """The cache key of this topic page for this request, or None when it must be rendered.

    ``state``: the accepted answer and the linked practice page (``TopicRow.cache_state()``,
    read with the topic in the same query)."""
    if not anonymous_reader(request):
        return None
    page = _page_number(request)
    if page is None:
        return None
    forum = topic.forum
    canonical = reverse(
        "forum_conversation:topic",
        kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk, "slug": topic.slug, "pk": topic.pk},
    )
    if request.path != unquote(canonical):
        return None
    state = (canonical, page, topic.updated.isoformat(), topic.forum_id, state)
    return _key(f"forum:topic-page:{topic.pk}", state)


def _index_state():
    """What the forum index shows anonymous visitors depends on, in two small queries.

    Every forum's ``updated`` is set when a topic or post in it is created, edited, hidden,
    approved, moved or deleted (``Forum.update_trackers()``, or a reply's UPDATE) and when it is
    renamed or moved;
    what anonymous visitors may see is the anonymous rows of ``UserForumPermission``.
    """
    from machina.core.db.models import get_model

    forum_table = get_model("forum", "Forum")._meta.db_table
    permission_table = get_model("forum_permission", "UserForumPermission")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(updated), COUNT(*), SUM(id) FROM {forum_table}")  # noqa: S608
        forums = cursor.fetchone()
        cursor.execute(
            f"SELECT id, permission_id, has_perm, forum_id FROM {permission_table} "  # noqa: S608
            "WHERE anonymous_user = %s ORDER BY id",
            [True],
        )
        permissions = cursor.fetchall()
    return forums, permissions


def anonymous_index_key(request):
    """The cache key of the forum index for this request, or None when it must be rendered."""
    if not anonymous_reader(request) or request.GET or request.path != reverse("forum:index"):
        return None
    return _key("forum:index-page", _index_state())


def store_anonymous_page(request, key, response):
    if (
        response.status_code != 200
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or (getattr(request, "session", None) is not None and request.session.modified)
        or (getattr(response, "context_data", None) or {}).get("poll")
    ):
        return response
    caches["forum_pages"].set(key, response.content, TIMEOUT)
    return response
