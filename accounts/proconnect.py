"""Sign-in through ProConnect, the State's OpenID Connect federation (mozilla-django-oidc).

Authorization code flow with PKCE (S256), ``state`` and ``nonce`` kept in the session and checked
once (mozilla-django-oidc), the ID token verified against the provider's JWKS (RS256 only) with
its issuer, audience, expiry and issue time (checked here: mozilla-django-oidc skips the audience),
and the userinfo ``sub`` required to match the ID token's. The endpoints come from the provider's
discovery document (``PROCONNECT_ISSUER`` + ``/.well-known/openid-configuration``), fetched with a
timeout and cached. Logout ends the provider's session too (``end_session_endpoint`` with
``id_token_hint``).
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import identity
from accounts.models import FederatedIdentity

logger = logging.getLogger("passerelle.sso")

ERROR_TEMPLATE = "accounts/federation_error.html"
DISCOVERY_CACHE_KEY = "passerelle:proconnect:discovery"

UNAVAILABLE = _(
    "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous "
    "avec votre identifiant et votre mot de passe."
)
EXPIRED = _(
    "Cette réponse de ProConnect a expiré ou a déjà été utilisée. Recommencez la connexion depuis "
    "Passerelle."
)
INVALID = _(
    "La réponse de ProConnect n'a pas pu être vérifiée. Par sécurité, vous n'êtes pas connecté. "
    "Recommencez la connexion depuis Passerelle."
)
CANCELLED = _("La connexion avec ProConnect a été annulée ou refusée. Vous n'êtes pas connecté.")
NOT_CONFIGURED = _("La connexion avec ProConnect n'est pas proposée sur ce site.")


class ProviderUnavailable(Exception):
    pass


def is_configured():
    return bool(settings.SSO_PROCONNECT_ISSUER and settings.OIDC_RP_CLIENT_ID)


def provider_config():
    """The provider's discovery document (cached); ProviderUnavailable when it cannot be had."""
    if not is_configured():
        raise ProviderUnavailable("PROCONNECT_ISSUER or PROCONNECT_CLIENT_ID is not set")
    config = cache.get(DISCOVERY_CACHE_KEY)
    if config and config.get("issuer") == settings.SSO_PROCONNECT_ISSUER:
        return config
    url = settings.SSO_PROCONNECT_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.error("ProConnect discovery %s failed: %s", url, exc)
        raise ProviderUnavailable(str(exc)) from None
    needed = {"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"}
    if not isinstance(config, dict) or not needed <= config.keys():
        logger.error("ProConnect discovery %s lacks %s", url, sorted(needed - set(config or {})))
        raise ProviderUnavailable("incomplete discovery document")
    if config["issuer"] != settings.SSO_PROCONNECT_ISSUER:
        logger.error("ProConnect discovery names issuer %r, not %r", config["issuer"], url)
        raise ProviderUnavailable("issuer mismatch")
    cache.set(DISCOVERY_CACHE_KEY, config, settings.SSO_PROCONNECT_DISCOVERY_TTL)
    return config


class ProConnectBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, configured lazily (a local sign-in never calls ProConnect)
    and strict about the ID token; accounts come from accounts.identity."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = ""
        self._id_token = False

    def authenticate(self, request, **kwargs):
        # Only the ProConnect callback passes a nonce; every other sign-in is not ours.
        if request is None or "nonce" not in kwargs or "code_verifier" not in kwargs:
            return None
        config = provider_config()
        self.issuer = config["issuer"]
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        if not token:
            raise SuspiciousOperation("no token in the provider's answer")
        self._id_token = kwargs.get("nonce") is not None
        return super().verify_token(token, **kwargs)

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != "RS256":
            raise SuspiciousOperation(f"token signed with {header.get('alg')!r}, not RS256")
        options = {"require": ["iss", "aud"]}
        if self._id_token:
            options["require"] += ["exp", "iat", "sub"]
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=["RS256"],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=settings.SSO_CLOCK_SKEW,
                options=options,
            )
        except jwt.ExpiredSignatureError:
            raise SuspiciousOperation("expired token") from None
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"token refused: {exc}") from None

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub differs from the ID token's")
        email = (claims.get("email") or "").strip().lower()
        if not email or "@" not in email:
            raise identity.error("missing_attribute", what="email")
        person = identity.Identity(
            provider=FederatedIdentity.Provider.PROCONNECT,
            subject=payload["sub"],
            issuer=self.issuer,
            email=email,
            first_name=(claims.get("given_name") or "").strip()[:150],
            last_name=(claims.get("usual_name") or claims.get("family_name") or "").strip()[:150],
            can_post=settings.SSO_PROCONNECT_CAN_POST,
            # ProConnect's identity providers verify the addresses they assert.
            vouches_for_any_email=True,
        )
        logger.info(
            "ProConnect claims for %s: uid=%s siret=%s",
            payload["sub"],
            claims.get("uid", ""),
            claims.get("siret", ""),
        )
        user = identity.sign_in(person)
        self.request.session["passerelle_sso"] = "proconnect"
        return user


def error_page(request, message, status):
    return render(
        request,
        ERROR_TEMPLATE,
        {"message": message, "title": _("Connexion avec ProConnect impossible")},
        status=status,
    )


class LoginView(OIDCAuthenticationRequestView):
    """/compte/proconnect/connexion/: off to ProConnect with state, nonce and a PKCE challenge."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # endpoints are read in get(), not at import

    def get(self, request):
        if not is_configured():
            return error_page(request, NOT_CONFIGURED, status=404)
        try:
            config = provider_config()
        except ProviderUnavailable:
            return error_page(request, UNAVAILABLE, status=503)
        self.OIDC_OP_AUTH_ENDPOINT = config["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        if request.user.is_authenticated:
            auth.logout(request)
        return super().get(request)

    def get_extra_params(self, request):
        params = {}
        if settings.SSO_PROCONNECT_ACR_VALUES:
            params["acr_values"] = settings.SSO_PROCONNECT_ACR_VALUES
        return params


class CallbackView(OIDCAuthenticationCallbackView):
    """/compte/proconnect/retour/: every failure is a French page and a log line, no session."""

    def get(self, request):
        if request.GET.get("error"):
            logger.warning(
                "ProConnect answered error=%s (%s)",
                request.GET.get("error"),
                request.GET.get("error_description", "")[:200],
            )
            super().get(request)
            return error_page(request, CANCELLED, status=403)
        try:
            return super().get(request)
        except identity.IdentityError as exc:
            return self._refuse(request, exc.message, exc.status)
        except ProviderUnavailable:
            return self._refuse(request, UNAVAILABLE, 503)
        except (requests.Timeout, requests.ConnectionError) as exc:
            logger.error("ProConnect unreachable during the callback: %s", exc)
            return self._refuse(request, UNAVAILABLE, 503)
        except requests.RequestException as exc:
            # The token endpoint refused the code: already used, expired, or another client's.
            logger.warning("ProConnect token request refused: %s", exc)
            return self._refuse(request, EXPIRED, 400)
        except SuspiciousOperation as exc:
            logger.warning("ProConnect answer refused: %s", exc)
            message = EXPIRED if "state" in str(exc) or "expired" in str(exc) else INVALID
            return self._refuse(request, message, 400)

    def _refuse(self, request, message, status):
        if request.user.is_authenticated:
            auth.logout(request)
        return error_page(request, message, status)

    def login_failure(self):
        logger.warning("ProConnect callback without a usable answer")
        return self._refuse(self.request, EXPIRED, 400)


class LogoutView(View):
    """/compte/proconnect/deconnexion/ (POST): ends the Passerelle session, then ProConnect's."""

    http_method_names = ["post", "options"]

    def post(self, request):
        id_token = request.session.get("oidc_id_token")
        auth.logout(request)
        home = request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL or "/")
        if not id_token:
            return HttpResponseRedirect(home)
        try:
            config = provider_config()
        except ProviderUnavailable:
            return HttpResponseRedirect(home)
        end_session = config.get("end_session_endpoint")
        if not end_session:
            return HttpResponseRedirect(home)
        params = {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": settings.SSO_PROCONNECT_POST_LOGOUT_URL or home,
        }
        return HttpResponseRedirect(f"{end_session}?{urlencode(params)}")


urlpatterns = [
    path("connexion/", LoginView.as_view(), name="proconnect_login"),
    path("retour/", CallbackView.as_view(), name="proconnect_callback"),
    path("deconnexion/", LogoutView.as_view(), name="proconnect_logout"),
]
