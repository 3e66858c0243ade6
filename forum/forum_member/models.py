from machina.apps.forum_member.models import *  # noqa: F403
