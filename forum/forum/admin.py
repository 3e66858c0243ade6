# Registers machina's admin classes (Django only autodiscovers the installed app's module).
from machina.apps.forum.admin import *  # noqa: F403
