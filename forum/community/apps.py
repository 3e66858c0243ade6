from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """Passerelle's own forum models: solutions, reports, moderation log, subscriptions."""

    name = "forum.community"
    label = "forum_community"
    verbose_name = _("Forum : communauté")
    default_auto_field = "django.db.models.AutoField"
