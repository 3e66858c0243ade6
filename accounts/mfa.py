"""Two-factor authentication required for editors and administrators before the admin sites.

allauth.mfa offers TOTP and recovery codes to everyone (/compte/2fa/). For an editor, an
administrator or a superuser, :class:`RequireMFAForStaffMiddleware` lets a request reach
``/admin/`` (Wagtail) or ``/django-admin/`` only when this session passed a second factor
(allauth records it among the session's authentication methods); otherwise it sends them to set
up TOTP, or, when they have it already, to the TOTP step. ``PASSERELLE_MFA_REQUIRED=false`` turns
the requirement off (never in production).
"""

from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import views as totp_views
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles

PROTECTED_PREFIXES = ("/admin/", "/django-admin/")
OPEN_PATHS = ("/admin/login/", "/admin/logout/", "/django-admin/login/", "/django-admin/logout/")
MFA_ROLES = (roles.EDITOR, roles.ADMINISTRATOR)


def mfa_required_for(user):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=MFA_ROLES).exists()


def session_passed_mfa(request):
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def has_totp(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAForStaffMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            getattr(settings, "PASSERELLE_MFA_REQUIRED", True)
            and path.startswith(PROTECTED_PREFIXES)
            and not path.startswith(OPEN_PATHS)
            and mfa_required_for(request.user)
            and not session_passed_mfa(request)
        ):
            query = "?" + urlencode({"next": request.get_full_path()})
            if has_totp(request.user):
                messages.info(
                    request,
                    _("Saisissez le code de votre application d'authentification pour continuer."),
                )
                return redirect(reverse("mfa_reauthenticate") + query)
            messages.warning(
                request,
                _(
                    "L'administration de Passerelle demande une double authentification : "
                    "activez-la avec une application d'authentification (TOTP) pour continuer."
                ),
            )
            return redirect(reverse("mfa_activate_totp") + query)
        return self.get_response(request)


class ActivateTOTPView(totp_views.ActivateTOTPView):
    """allauth's TOTP set-up; a valid code was just typed, so this session passed the factor."""

    def form_valid(self, form):
        response = super().form_valid(form)
        authenticator = Authenticator.objects.filter(
            user=self.request.user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is not None:
            record_authentication(
                self.request, self.request.user, "mfa", id=authenticator.pk, type="totp"
            )
        return response
