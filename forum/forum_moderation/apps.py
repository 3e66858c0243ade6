from machina.apps.forum_moderation.apps import (
    ForumModerationAppConfig as MachinaForumModerationAppConfig,
)


class ForumModerationAppConfig(MachinaForumModerationAppConfig):
    """machina's moderation views, each action recorded in the moderation log."""

    name = "forum.forum_moderation"
    default = True  # machina's config is imported here too
