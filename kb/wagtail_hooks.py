from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from accounts.roles import sync_domain_permissions
from kb.models import Domain


class DomainViewSet(SnippetViewSet):
    model = Domain
    icon = "folder-open-inverse"
    menu_label = _("Domaines")
    add_to_admin_menu = True
    menu_order = 210
    list_display = ["name", "slug", "forum"]


register_snippet(DomainViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def sync_domain_after_save(request, instance):
    """A domain saved in the admin gets its officer group and its forum rights at once."""
    if isinstance(instance, Domain):
        sync_domain_permissions(instance)
