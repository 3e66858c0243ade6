"""Read-only forum queries used outside machina's own views (home page, search)."""

from machina.core.db.models import get_model
from machina.core.loading import get_class

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
PermissionHandler = get_class("forum_permission.handler", "PermissionHandler")


def readable_forum_ids(user):
    """Ids of the forums ``user`` may read (anonymous users included)."""
    forums = PermissionHandler().get_readable_forums(Forum.objects.all(), user)
    return list(forums.values_list("id", flat=True))


def recent_topics_for(user, limit=5):
    """The most recently active approved topics among the forums ``user`` may read."""
    return list(
        Topic.approved_objects.filter(forum_id__in=readable_forum_ids(user))
        .select_related("forum", "poster", "last_post", "last_post__poster")
        .order_by("-last_post_on")[:limit]
    )
