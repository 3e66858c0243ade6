from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from notices.models import Source


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "site"
    menu_label = _("Sources")
    add_to_admin_menu = True
    menu_order = 220
    list_display = ["acronym", "name", "is_active"]


register_snippet(SourceViewSet)
