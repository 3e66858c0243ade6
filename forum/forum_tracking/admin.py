from machina.apps.forum_tracking.admin import *  # noqa: F403
