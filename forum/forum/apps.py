from machina.apps.forum.apps import ForumAppConfig as MachinaForumAppConfig


class ForumAppConfig(MachinaForumAppConfig):
    """machina's ``forum`` app: forum index and forum pages (solved filter, fewer queries)."""

    name = "forum.forum"
    default = True  # machina's config is imported here too
