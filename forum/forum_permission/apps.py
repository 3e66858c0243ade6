from machina.apps.forum_permission.apps import (
    ForumPermissionAppConfig as MachinaForumPermissionAppConfig,
)


class ForumPermissionAppConfig(MachinaForumPermissionAppConfig):
    """machina's forum permissions; a forum one may not read answers 404, not 403."""

    name = "forum.forum_permission"
    default = True  # machina's config is imported here too
