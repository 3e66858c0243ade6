from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from accounts.models import Establishment, Profile


class EstablishmentViewSet(SnippetViewSet):
    model = Establishment
    icon = "home"
    menu_label = _("Établissements")
    list_display = ["name", "uai", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "uai"]


class ProfileViewSet(SnippetViewSet):
    model = Profile
    icon = "user"
    menu_label = _("Profils")
    list_display = ["user", "establishment", "job_title"]
    list_filter = ["establishment"]


class PeopleGroup(SnippetViewSetGroup):
    items = (EstablishmentViewSet, ProfileViewSet)
    menu_icon = "group"
    menu_label = _("Établissements et personnes")
    menu_name = "people"


register_snippet(PeopleGroup)
