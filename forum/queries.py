"""Read-only forum queries used outside machina's own views (home page, search)."""

import hashlib

from django.core.cache import caches
from machina.core.db.models import get_model
from machina.core.loading import get_class

from forum.forum_permission.handler import permission_state as _permission_state

Forum = get_model("forum", "Forum")
UserForumPermission = get_model("forum_permission", "UserForumPermission")
GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
Topic = get_model("forum_conversation", "Topic")
PermissionHandler = get_class("forum_permission.handler", "PermissionHandler")


def readable_forum_ids(user):
    """Ids of the forums ``user`` may read (anonymous users included).

    machina's answer, kept in the cache under everything it is computed from, read from the
    database on every call (`_permission_state`): a permission granted or withdrawn, a group
    joined or left, a forum created, moved or deleted changes the key, so it takes effect on the
    very next call, in every process, whatever cache backend is configured.
    """
    key = "forum:readable:" + hashlib.sha256(repr(_permission_state(user)).encode()).hexdigest()
    ids = caches["forum_html"].get(key)
    if ids is None:
        forums = PermissionHandler().get_readable_forums(Forum.objects.all(), user)
        ids = list(forums.values_list("id", flat=True))
        caches["forum_html"].set(key, ids, 3600)
    return ids


def recent_topics_for(user, limit=5):
    """The most recently active approved topics among the forums ``user`` may read."""
    return list(
        Topic.approved_objects.filter(forum_id__in=readable_forum_ids(user))
        .select_related("forum", "poster", "last_post", "last_post__poster")
        .order_by("-last_post_on")[:limit]
    )
