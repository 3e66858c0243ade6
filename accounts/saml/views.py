"""The discovery page of our own, and djangosaml2's views with French pages for every failure."""

import logging
import unicodedata

from django.contrib import auth
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml_views
from saml2.response import IncorrectlySigned, StatusError, UnsolicitedResponse, VerificationError
from saml2.sigver import MissingKey, SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from accounts.identity import IdentityError
from accounts.saml import metadata
from accounts.saml.config import metadata_store

logger = logging.getLogger("passerelle.sso")

ERROR_TEMPLATE = "accounts/federation_error.html"

EXPIRED = _(
    "La réponse de votre établissement a expiré ou a déjà été utilisée. Recommencez la connexion "
    "depuis Passerelle."
)
INVALID_CONDITIONS = _(
    "La réponse de votre établissement a expiré ou n'était pas destinée à Passerelle. Recommencez "
    "la connexion depuis Passerelle."
)
BAD_SIGNATURE = _(
    "La réponse reçue de votre établissement n'a pas pu être vérifiée (signature invalide). Par "
    "sécurité, vous n'êtes pas connecté. Recommencez, et si cela se reproduit, prévenez le support "
    "informatique de votre établissement."
)
REFUSED = _("Votre établissement n'a pas confirmé votre identité. Vous n'êtes pas connecté.")
GENERIC = _(
    "La connexion par votre établissement n'a pas abouti. Vous n'êtes pas connecté. Recommencez "
    "depuis Passerelle."
)
UNKNOWN_IDP = _(
    "Cet établissement ne figure pas dans la fédération d'identités. Choisissez-le dans la liste."
)


def error_page(request, message, status=403, title=None):
    return render(
        request,
        ERROR_TEMPLATE,
        {
            "message": message,
            "title": title or _("Connexion impossible"),
            "retry_url": reverse("federation_discovery"),
            "retry_label": _("Choisir à nouveau votre établissement"),
        },
        status=status,
    )


def safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _fold(text):
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def identity_providers(request):
    """[(entity_id, display name)] of the aggregate, French names first, sorted."""
    store = metadata_store(request)
    if store is None:
        return None
    providers = []
    for entity_id in store.identity_providers():
        names = list(store.mdui_uiinfo_display_name(entity_id, langpref="fr")) or list(
            store.mdui_uiinfo_display_name(entity_id)
        )
        name = names[0] if names else (store.name(entity_id, langpref="fr") or entity_id)
        providers.append((entity_id, name))
    providers.sort(key=lambda item: _fold(item[1]))
    return providers


def discovery(request):
    """/compte/federation/: choose one's establishment in the aggregate (GET ?q= filters, no JS)."""
    query = request.GET.get("q", "").strip()[:200]
    next_url = safe_next(request, request.GET.get("next", ""))
    providers = identity_providers(request)
    if providers is None:
        return render(
            request,
            "accounts/federation_discovery.html",
            {"unavailable": metadata.UNAVAILABLE, "query": query, "next": next_url},
            status=503,
        )
    shown = providers
    if query:
        words = _fold(query).split()
        shown = [p for p in providers if all(w in _fold(p[1]) for w in words)]
    login = reverse("saml2_login")
    entries = [
        {
            "name": name,
            "url": login
            + "?"
            + urlencode({"idp": entity_id, **({"next": next_url} if next_url else {})}),
        }
        for entity_id, name in shown
    ]
    return render(
        request,
        "accounts/federation_discovery.html",
        {"entries": entries, "total": len(providers), "query": query, "next": next_url},
    )


class LoginView(saml_views.LoginView):
    """Sends the AuthnRequest to the chosen IdP; without one, to the discovery page."""

    def get(self, request, *args, **kwargs):
        if not request.GET.get("idp"):
            target = reverse("federation_discovery")
            next_url = safe_next(request, request.GET.get("next", ""))
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            return HttpResponseRedirect(target + query)
        if metadata_store(request) is None:
            return error_page(request, metadata.UNAVAILABLE, status=503)
        if request.user.is_authenticated:
            # Someone else may be signing in on this browser: the old session ends first.
            auth.logout(request)
        return super().get(request, *args, **kwargs)

    def unknown_idp(self, request, idp):
        logger.warning("SAML: sign-in asked for an IdP absent from the aggregate: %s", idp)
        return error_page(request, UNKNOWN_IDP, status=404)


@method_decorator(csrf_exempt, name="dispatch")
class AssertionConsumerServiceView(saml_views.AssertionConsumerServiceView):
    """pysaml2 checks the response; a failure gets a French page, never a session."""

    def post(self, request, *args, **kwargs):
        if "SAMLResponse" not in request.POST:
            return error_page(request, GENERIC, status=400)
        if metadata_store(request) is None:
            return error_page(request, metadata.UNAVAILABLE, status=503)
        return super().post(request, *args, **kwargs)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        sso_error = getattr(request, "sso_error", None)
        if request.user.is_authenticated:
            auth.logout(request)
        if isinstance(sso_error, IdentityError):
            return error_page(request, sso_error.message, status=sso_error.status)
        logger.warning("SAML: response refused: %r", exception)
        if isinstance(exception, (ResponseLifetimeExceed, ToEarly, UnsolicitedResponse)):
            return error_page(request, EXPIRED, status=403)
        if isinstance(exception, VerificationError):
            # pysaml2's "Condition not OK": a lifetime past, or an audience that is not ours.
            return error_page(request, INVALID_CONDITIONS, status=403)
        if isinstance(exception, (SignatureError, IncorrectlySigned, MissingKey)):
            return error_page(request, BAD_SIGNATURE, status=403)
        if isinstance(exception, StatusError):
            return error_page(request, REFUSED, status=403)
        return error_page(request, GENERIC, status=status)

    def authenticate_user(self, request, session_info, *args, **kwargs):
        user = super().authenticate_user(request, session_info, *args, **kwargs)
        request.session["passerelle_sso"] = "saml"
        return user


class LogoutInitView(saml_views.LogoutInitView):
    """POST only (a link never signs anyone out): single logout at the IdP when it supports it."""

    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        try:
            response = super().get(request, *args, **kwargs)
        except Exception:  # an IdP without SLO, or an unreadable session: sign out here anyway
            logger.warning("SAML: single logout failed, signed out locally", exc_info=True)
            auth.logout(request)
            return HttpResponseRedirect("/")
        if response.status_code >= 400:
            auth.logout(request)
            return HttpResponseRedirect("/")
        return response


@method_decorator(csrf_exempt, name="dispatch")
class LogoutView(saml_views.LogoutView):
    """The SLS: the IdP's answer to our logout, or its own logout request."""

    logout_error_template = ERROR_TEMPLATE

    def do_logout_service(self, request, *args, **kwargs):
        try:
            response = super().do_logout_service(request, *args, **kwargs)
        except Exception:
            logger.warning("SAML: logout message refused", exc_info=True)
            auth.logout(request)
            return error_page(request, GENERIC, status=400, title=_("Déconnexion"))
        return response
