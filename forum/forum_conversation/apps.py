from machina.apps.forum_conversation.apps import (
    ForumConversationAppConfig as MachinaForumConversationAppConfig,
)


class ForumConversationAppConfig(MachinaForumConversationAppConfig):
    """machina's topics and posts: solutions, reports, notifications, held posts."""

    name = "forum.forum_conversation"
    default = True  # machina's config is imported here too
