from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
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


# --- Account requests: editors approve or refuse them (rules in accounts/signup.py) ------------


@hooks.register("register_admin_urls")
def register_account_request_urls():
    from accounts import admin_views

    return [path("demandes-de-compte/", include((admin_views.urlpatterns, "accounts_requests")))]


class AccountRequestMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("accounts.change_accountrequest")


@hooks.register("register_admin_menu_item")
def register_account_request_menu_item():
    return AccountRequestMenuItem(
        _("Demandes de compte"),
        reverse("accounts_requests:index"),
        icon_name="mail",
        order=850,
    )
