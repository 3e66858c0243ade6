# machina's models, kept as they are (migrations: MIGRATION_MODULES in settings).
from machina.apps.forum_conversation.models import *  # noqa: F403
