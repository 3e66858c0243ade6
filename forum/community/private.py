"""Private forums: reserved to one group, and nonexistent for everybody else.

machina's permissions are granted globally to the four roles (accounts/roles.py). A private
forum (with every forum below it) gets per-forum refusals that override those global grants —
for anonymous visitors, for every signed-in person, and for each role group — and per-forum
grants for the group it is reserved to. machina's permission handler then leaves it out of
lists, counts and last-post columns; our permission mixin and feeds answer 404 for it.

Keep private forums in a category of their own, not under a domain's category: a domain's
officer group is granted moderation on everything below its category.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from machina.core.db.models import get_model

from accounts import roles

GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
UserForumPermission = get_model("forum_permission", "UserForumPermission")
ForumPermission = get_model("forum_permission", "ForumPermission")

ALL_FORUM_PERMISSIONS = [*roles.PARTICIPATE_FORUM, *roles.MODERATE_FORUM]


@transaction.atomic
def make_private(forum, group, moderators=None):
    """Reserve ``forum`` and its descendants to ``group`` (``moderators`` moderate it too)."""
    forums = list(forum.get_descendants(include_self=True))
    refused = list(ForumPermission.objects.filter(codename__in=ALL_FORUM_PERMISSIONS))
    role_groups = list(Group.objects.filter(name__in=roles.ROLE_NAMES))
    for target in forums:
        for anonymous in (True, False):
            lookup = {"forum": target, "user": None, "anonymous_user": anonymous,
                      "authenticated_user": not anonymous}  # fmt: skip
            roles.set_forum_permissions(UserForumPermission, lookup, refused, has_perm=False)
        for role_group in role_groups:
            lookup = {"group": role_group, "forum": target}
            roles.set_forum_permissions(GroupForumPermission, lookup, refused, has_perm=False)
        roles.grant_group_forum_permissions(group, roles.PARTICIPATE_FORUM, forum=target)
        if moderators is not None:
            roles.grant_group_forum_permissions(moderators, ALL_FORUM_PERMISSIONS, forum=target)
    return forums
