"""What every page's header and footer need."""

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

MAIN_NAVIGATION = [
    ("/guides/", _("Guides")),
    ("/actualites/", _("Actualités")),
    ("/forum/", _("Forum")),
    ("/etablissements/", _("Établissements")),
    ("/recherche/", _("Recherche")),
]

FOOTER_LINKS = [
    ("/mentions-legales/", _("Mentions légales")),
    ("/accessibilite/", _("Accessibilité : partiellement conforme")),
    ("/donnees-personnelles/", _("Données personnelles")),
]


def site_chrome(request):
    from accounts.roles import role_and_permissions_of

    path = getattr(request, "path", "")
    navigation = [
        {"url": url, "label": label, "current": path.startswith(url)}
        for url, label in MAIN_NAVIGATION
    ]
    user = getattr(request, "user", None)
    return {
        "main_navigation": navigation,
        "footer_links": FOOTER_LINKS,
        # The role, with the permissions the header asks next (``perms``) in the same query.
        "user_role": SimpleLazyObject(
            lambda: role_and_permissions_of(user) if user is not None else None
        ),
    }
