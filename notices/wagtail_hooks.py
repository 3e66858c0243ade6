from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from notices import admin_urls, triage
from notices.models import Source


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "site"
    menu_label = _("Sources")
    add_to_admin_menu = True
    menu_order = 220
    list_display = [
        "acronym",
        "name",
        "is_active",
        "status_label",
        "last_fetch_at",
        "last_success_at",
        "last_error_at",
        "entry_count",
        "warnings_label",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "acronym"]


register_snippet(SourceViewSet)


@hooks.register("register_admin_urls")
def register_triage_urls():
    return [path("actualites/a-trier/", include(admin_urls, namespace="notices_triage"))]


class TriageMenuItem(MenuItem):
    def is_shown(self, request):
        return triage.can_triage(request.user)


@hooks.register("register_admin_menu_item")
def register_triage_menu_item():
    return TriageMenuItem(
        _("Entrées des flux"),
        reverse("notices_triage:queue"),
        name="notices-triage",
        icon_name="tasks",
        order=215,
    )
