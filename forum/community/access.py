"""Who may read and who moderates which forum, from machina's permission handler."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from machina.core.db.models import get_model
from machina.core.loading import get_class

from accounts import roles

Forum = get_model("forum", "Forum")
GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
PermissionHandler = get_class("forum_permission.handler", "PermissionHandler")


def handler_for(request=None):
    handler = getattr(request, "forum_permission_handler", None)
    return handler or PermissionHandler()


def can_read(forum, user, handler=None):
    return (handler or PermissionHandler()).can_read_forum(forum, user)


def can_moderate(forum, user, handler=None):
    """A moderator of ``forum`` approves, hides, edits posts and resolves reports there."""
    if not user.is_authenticated:
        return False
    handler = handler or PermissionHandler()
    return handler.can_read_forum(forum, user) and handler.can_approve_posts(forum, user)


def moderated_forum_ids(user, handler=None):
    """Ids of the forums ``user`` moderates (empty for anonymous and plain members)."""
    if not user.is_authenticated:
        return []
    handler = handler or PermissionHandler()
    forums = handler.get_moderation_queue_forums(user)
    readable = set(
        handler.get_readable_forums(Forum.objects.all(), user).values_list("id", flat=True)
    )
    return [forum.id for forum in forums if forum.id in readable]


def moderators_of(forum):
    """Active people with an email who moderate ``forum``: the groups granted moderation on it
    (its domain's officers, a private forum's moderators); editors when there are none."""
    User = get_user_model()
    group_ids = GroupForumPermission.objects.filter(
        forum=forum, permission__codename="can_approve_posts", has_perm=True
    ).values_list("group_id", flat=True)
    people = User.objects.filter(is_active=True, groups__in=list(group_ids)).exclude(email="")
    people = [u for u in people.distinct() if can_moderate(forum, u)]
    if not people:
        editors = Group.objects.filter(name=roles.EDITOR).first()
        if editors is not None:
            people = [
                u
                for u in User.objects.filter(is_active=True, groups=editors).exclude(email="")
                if can_moderate(forum, u)
            ]
    return people


def readers_filter(users, forum):
    """Only the users of ``users`` who may read ``forum``."""
    handler = PermissionHandler()
    return [u for u in users if u.is_active and handler.can_read_forum(forum, u)]
