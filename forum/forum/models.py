# machina's models, kept as they are (migrations: MIGRATION_MODULES in settings).
from machina.apps.forum.models import *  # noqa: F403
