from machina.apps.forum_feeds.apps import ForumFeedsAppConfig as MachinaForumFeedsAppConfig


class ForumFeedsAppConfig(MachinaForumFeedsAppConfig):
    """RSS feeds: a forum the reader may not read gives a 404, as if it did not exist."""

    name = "forum.forum_feeds"
    default = True  # machina's config is imported here too
