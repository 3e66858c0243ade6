"""Read-only forum queries used outside machina's own views (home page, search)."""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from machina.core.db.models import get_model
from machina.core.loading import get_class

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


def _permission_state(user):
    """What machina's forum permissions for ``user`` depend on, in one query: the forum tree and
    the permission rows that apply to this user (their own, their groups', and those for every
    signed-in or anonymous visitor), plus who the user is and the default permissions of
    signed-in users from the settings."""
    user_table = UserForumPermission._meta.db_table
    group_table = GroupForumPermission._meta.db_table
    membership = get_user_model().groups.through._meta.db_table
    forum_table = Forum._meta.db_table
    defaults = getattr(settings, "MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS", ())
    if user.is_authenticated:
        who = (user.pk, user.is_superuser, user.is_active, sorted(defaults))
        users, params = "(p.user_id = %s OR p.authenticated_user = %s)", [user.pk, True]
    else:
        who = ("anonymous",)
        users, params = "p.anonymous_user = %s", [True]
    sql = (
        # Only table names are interpolated; the user id and flags are parameters.
        f"SELECT 'f', id, parent_id, type, NULL FROM {forum_table} "  # noqa: S608
        f"UNION ALL SELECT 'u', p.id, p.permission_id, p.forum_id, p.has_perm "
        f"FROM {user_table} p WHERE {users} "
        f"UNION ALL SELECT 'g', p.id, p.permission_id, p.forum_id, p.has_perm "
        f"FROM {group_table} p JOIN {membership} m ON m.group_id = p.group_id "
        f"WHERE m.user_id = %s "
        "ORDER BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, user.pk or 0])
        return who, cursor.fetchall()


def recent_topics_for(user, limit=5):
    """The most recently active approved topics among the forums ``user`` may read."""
    return list(
        Topic.approved_objects.filter(forum_id__in=readable_forum_ids(user))
        .select_related("forum", "poster", "last_post", "last_post__poster")
        .order_by("-last_post_on")[:limit]
    )
