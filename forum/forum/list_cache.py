"""The forum list of the index (and of a forum's sub-forums), rendered once per state.

machina's ``forum_list`` tag renders every forum of the list on every request: names, counts,
last post, its author's name and date, for a signed-in reader as for anyone. What the list
shows depends only on the forums it holds, already loaded by the view (no extra query), and on
which of them are unread for the reader, so the rendered HTML is kept in the cache under:

- each listed forum's id, ``updated`` (machina saves a forum whenever a topic or post in it is
  created, edited, hidden, approved, moved or deleted, and when it is renamed or moved), last
  post, counts, name, slug, description, type and link counts;
- the ids of the unread forums for this reader, the tree's root level, language and time zone.

A forum the reader may not see is not in the list, hence not in the key: two readers share an
entry only when they see the same forums in the same state. What may show late, by ``TIMEOUT``
seconds at most, is the display name of a last post's author after they change it.
"""

import hashlib

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from machina.core.loading import get_class

TrackingHandler = get_class("forum_tracking.handler", "TrackingHandler")

TIMEOUT = 60
TEMPLATE = "forum/forum_list.html"
# Part of every key: change it when forum/forum_list.html or forum/_forum_item.html change.
MARKUP_VERSION = 1


def _forum_state(forum):
    return (
        forum.pk,
        forum.updated.isoformat() if forum.updated else None,
        forum.last_post_id,
        forum.last_post_on.isoformat() if forum.last_post_on else None,
        forum.direct_posts_count,
        forum.direct_topics_count,
        forum.name,
        forum.slug,
        forum.type,
        forum.parent_id,
        getattr(forum.description, "raw", None),
        forum.link,
        forum.link_redirects,
        forum.link_redirects_count,
    )


def render_forum_list(request, forum_contents):
    """What machina's ``{% forum_list %}`` renders, from the cache when nothing changed."""
    unread = TrackingHandler(request=request).get_unread_forums_from_list(
        request.user, forum_contents.forums
    )
    root_level = forum_contents.root_level
    state = (
        MARKUP_VERSION,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        root_level,
        [_forum_state(f) for f in forum_contents.forums],
        sorted(f.pk for f in unread),
    )
    key = "forum:list:" + hashlib.sha256(repr(state).encode()).hexdigest()
    html = caches["forum_html"].get(key)
    if html is None:
        data = {
            "forum_contents": forum_contents,
            "unread_forums": unread,
            "user": request.user,
            "request": request,
        }
        if root_level is not None:
            data["root_level"] = root_level
            data["root_level_middle"] = root_level + 1
            data["root_level_sub"] = root_level + 2
        html = render_to_string(TEMPLATE, data)
        caches["forum_html"].set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 -- our own template's output
