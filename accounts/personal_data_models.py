"""Models of the personal-data concern: sign-in history and inactivity warnings.

Imported by ``accounts/models.py`` so that they belong to the ``accounts`` app. The rules that use
them live in ``accounts/personal_data.py``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEvent(models.Model):
    """One sign-in (or one failed attempt on a known account). The address is truncated (IPv4
    /24, IPv6 /48) and only the browser and system families of the user agent are kept; events
    older than ``PASSERELLE_SIGNIN_HISTORY_MONTHS`` are deleted."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("identifiant et mot de passe")
        SAML = "saml", _("fédération de l'enseignement supérieur (SAML)")
        OIDC = "oidc", _("ProConnect (OpenID Connect)")
        OTHER = "other", _("autre")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sign_in_events",
        verbose_name=_("personne"),
    )
    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    succeeded = models.BooleanField(_("réussie"), default=True)
    ip_prefix = models.CharField(_("adresse (tronquée)"), max_length=64, blank=True)
    user_agent_family = models.CharField(_("navigateur et système"), max_length=100, blank=True)
    method = models.CharField(
        _("méthode"), max_length=10, choices=Method.choices, default=Method.PASSWORD
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("connexion")
        verbose_name_plural = _("historique des connexions")
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.user_id} · {self.at:%Y-%m-%d %H:%M} · {self.method}"


class InactivityWarning(models.Model):
    """An inactive account was warned that it will be deleted. Cleared when the person comes
    back; the account is deleted when the grace period ends with no sign-in since."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inactivity_warning",
        verbose_name=_("personne"),
    )
    warned_at = models.DateTimeField(_("prévenue le"))
    last_activity_at = models.DateTimeField(_("dernière activité connue"), null=True, blank=True)

    class Meta:
        verbose_name = _("avertissement d'inactivité")
        verbose_name_plural = _("avertissements d'inactivité")

    def __str__(self):
        return f"{self.user_id} · {self.warned_at:%Y-%m-%d}"
