from machina.apps.forum_conversation.forum_attachments.apps import (
    ForumAttachmentsAppConfig as MachinaForumAttachmentsAppConfig,
)


class ForumAttachmentsAppConfig(MachinaForumAttachmentsAppConfig):
    """Attachments: an allowlist, a size limit, the type checked from content, safe download."""

    name = "forum.forum_conversation.forum_attachments"
    default = True  # machina's config is imported here too
