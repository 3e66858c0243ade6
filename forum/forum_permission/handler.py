"""machina's permission handler, with each person's forum permissions computed once per change.

machina's checker asks the database for the user's and their groups' permission rows for every
forum it is asked about (two queries for each forum, and two more for each list of permission
codenames), and the handler lists every forum again for each such list: 6 to 10 queries and as
many Python loops over every permission row on a topic page. Here machina's own computation
(``ForumPermissionChecker.get_perms_for_forumlist`` over every forum) runs once for a given
*permission state*, and its result is kept in the cache under that state:

- the forum tree (ids, parents, types);
- every permission row that applies to the person: their own, their groups', those given to all
  signed-in visitors (or, for an anonymous visitor, those given to anonymous visitors);
- who they are (id, superuser, active) and the default permissions of signed-in users from the
  settings.

The state is read from the database in one query, at the first permission check of a request
(``permission_state``): a permission granted or withdrawn, a group joined or left, a forum
created, moved or deleted gives another key, so it takes effect on the very next request, in
every process, whatever the cache backend, with no signal to forget. Superusers and inactive
accounts keep machina's short answers (everything, nothing).
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from machina.apps.forum_permission.checker import ForumPermissionChecker
from machina.apps.forum_permission.handler import PermissionHandler as MachinaPermissionHandler
from machina.core.db.models import get_model

Forum = get_model("forum", "Forum")
UserForumPermission = get_model("forum_permission", "UserForumPermission")
GroupForumPermission = get_model("forum_permission", "GroupForumPermission")

CACHE_TIMEOUT = 3600
# Part of the key: change it when the cached table's shape changes.
VERSION = 1


def permission_state(user):
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


class PermissionTable:
    """Every forum's permission codenames for one person, and the forum tree (picklable)."""

    def __init__(self, perms, parents):
        self.perms = perms  # forum id -> frozenset of codenames
        self.parents = parents  # forum id -> parent id or None

    def granted(self, codenames, use_tree_hierarchy):
        wanted = set(codenames)
        ids = {pk for pk, codes in self.perms.items() if wanted <= codes}
        if not use_tree_hierarchy:
            return ids
        # machina's tree rule: a forum counts only if every ancestor is granted too.
        result = set()
        for pk in ids:
            parent, steps = self.parents.get(pk), 0
            while parent is not None and parent in ids and steps < 100:
                parent, steps = self.parents.get(parent), steps + 1
            if parent is None:
                result.add(pk)
        return result


def permission_table(user, state):
    key = f"forum:perms:v{VERSION}:" + hashlib.sha256(repr(state).encode()).hexdigest()
    table = caches["forum_html"].get(key)
    if table is None:
        forums = list(Forum.objects.all())
        perms = ForumPermissionChecker(user).get_perms_for_forumlist(forums, None)
        table = PermissionTable(
            {f.pk: frozenset(perms[f]) for f in forums}, {f.pk: f.parent_id for f in forums}
        )
        caches["forum_html"].set(key, table, CACHE_TIMEOUT)
    return table


class CachedForumPermissionChecker(ForumPermissionChecker):
    """machina's checker, answering from the person's permission table."""

    def __init__(self, user, table):
        super().__init__(user)
        self.table = table

    def get_perms(self, forum):
        if (
            forum is not None
            and not self.user.is_superuser
            and (self.user.is_anonymous or self.user.is_active)
            and forum.pk in self.table.perms
        ):
            return self.table.perms[forum.pk]
        return super().get_perms(forum)


class PermissionHandler(MachinaPermissionHandler):
    def __init__(self):
        super().__init__()
        self._tables = {}

    @staticmethod
    def _who(user):
        return user.pk if user.is_authenticated else "anonymous"

    def _table(self, user):
        who = self._who(user)
        if who not in self._tables:
            self._tables[who] = permission_table(user, permission_state(user))
        return self._tables[who]

    def _cached(self, user):
        """Whether ``user``'s answers come from the table (machina answers superusers)."""
        return not user.is_superuser

    def _get_checker(self, user):
        who = self._who(user)
        if who not in self._user_perm_checkers_cache:
            if not self._cached(user):
                return super()._get_checker(user)
            self._user_perm_checkers_cache[who] = CachedForumPermissionChecker(
                user, self._table(user)
            )
        return self._user_perm_checkers_cache[who]

    def _granted_ids(self, user, codenames, use_tree_hierarchy=False):
        if user.is_authenticated and not user.is_active:
            return set()
        return self._table(user).granted(codenames, use_tree_hierarchy)

    def _get_forums_for_user(self, user, perm_codenames, use_tree_hierarchy=False):
        if not self._cached(user):
            return super()._get_forums_for_user(user, perm_codenames, use_tree_hierarchy)
        ids = self._granted_ids(user, perm_codenames, use_tree_hierarchy)
        return [f for f in self._get_all_forums() if f.pk in ids]

    def get_readable_forums(self, forums, user):
        if not self._cached(user):
            return super().get_readable_forums(forums, user)
        return forums.filter(id__in=self._granted_ids(user, ["can_read_forum"], True))

    def _get_hidden_forum_ids(self, forums, user):
        visible = self._granted_ids(user, ["can_see_forum", "can_read_forum"], True)
        return forums.exclude(id__in=visible)

    def can_access_moderation_queue(self, user):
        if not self._cached(user):
            return super().can_access_moderation_queue(user)
        return bool(self._granted_ids(user, ["can_approve_posts"]))
