from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumSearchAppConfig(AppConfig):
    """Replaces machina's haystack search: forum searches go to the site's one search."""

    label = "forum_search"
    name = "forum.forum_search"
    verbose_name = _("Forum : recherche")
