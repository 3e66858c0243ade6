# machina resolves "forum_attachments.cache" in the override app only (its nested path differs).
from machina.apps.forum_conversation.forum_attachments.cache import *  # noqa: F403
from machina.apps.forum_conversation.forum_attachments.cache import cache  # noqa: F401
