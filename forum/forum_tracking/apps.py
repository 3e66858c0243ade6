from machina.apps.forum_tracking.apps import (
    ForumTrackingAppConfig as MachinaForumTrackingAppConfig,
)


class ForumTrackingAppConfig(MachinaForumTrackingAppConfig):
    """machina's read tracking; unread forums computed without one query per forum."""

    name = "forum.forum_tracking"
    default = True  # machina's config is imported here too
