"""Establishments and the people who belong to them."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

uai_validator = RegexValidator(
    regex=r"^[0-9]{7}[A-Za-z]$",
    message=_("Le code UAI comporte 7 chiffres suivis d'une lettre majuscule (ex. 0751717J)."),
)

DOMAIN_NAME_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def parse_email_domains(raw):
    """Split a comma/space/newline-separated list of email domains, lower-cased, without '@'."""
    return [part.strip().lstrip("@").lower() for part in re.split(r"[\s,;]+", raw or "") if part]


def validate_email_domains(raw):
    invalid = [d for d in parse_email_domains(raw) if not DOMAIN_NAME_RE.match(d)]
    if invalid:
        raise ValidationError(
            _("Domaines de messagerie invalides : %(domains)s"),
            params={"domains": ", ".join(invalid)},
        )


class Establishment(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "universite", _("Université")
        SCHOOL = "ecole", _("École")
        RESEARCH = "organisme", _("Organisme de recherche")
        OTHER = "autre", _("Autre")

    name = models.CharField(_("nom"), max_length=255)
    uai = models.CharField(
        _("code UAI"),
        max_length=8,
        unique=True,
        validators=[uai_validator],
        help_text=_("7 chiffres et une lettre, ex. 0751717J."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.UNIVERSITY)
    region = models.CharField(_("région"), max_length=100, blank=True)
    email_domains = models.TextField(
        _("domaines de messagerie"),
        blank=True,
        validators=[validate_email_domains],
        help_text=_("Séparés par des virgules, ex. univ-exemple.fr, etu.univ-exemple.fr"),
    )
    # Single sign-on: the scopes of its people's eduPersonPrincipalName (accounts/identity.py).
    saml_scopes = models.TextField(
        _("domaines de la fédération (scopes)"),
        blank=True,
        validators=[validate_email_domains],
        help_text=_(
            "Portée des identifiants de la fédération (eduPersonPrincipalName), séparées par des "
            "virgules, ex. univ-exemple.fr. Sert quand l'établissement n'envoie pas son code UAI."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("uai"),
        FieldPanel("kind"),
        FieldPanel("region"),
        FieldPanel("email_domains"),
        FieldPanel("saml_scopes"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("uai"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uai = (self.uai or "").strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("establishments:detail", kwargs={"uai": self.uai.lower()})

    def clean(self):
        super().clean()
        self.uai = (self.uai or "").strip().upper()
        self.email_domains = ", ".join(parse_email_domains(self.email_domains))
        self.saml_scopes = ", ".join(parse_email_domains(self.saml_scopes))

    @property
    def email_domain_list(self):
        return parse_email_domains(self.email_domains)

    @property
    def saml_scope_list(self):
        return parse_email_domains(self.saml_scopes)


class Profile(models.Model):
    """What Passerelle knows of a person beyond Django's user: establishment, followed domains."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("établissement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    followed_domains = models.ManyToManyField(
        "kb.Domain", verbose_name=_("domaines suivis"), blank=True, related_name="followers"
    )
    followed_audiences = models.ManyToManyField(
        "notices.Audience",
        verbose_name=_("publics suivis"),
        blank=True,
        related_name="followers",
        help_text=_(
            "Les actualités urgentes adressées à ces publics vous sont envoyées par courriel."
        ),
    )

    # Establishment pages (/etablissements/<uai>/): a person listed there can be written to
    # through the site (accounts.establishments), never shown by address.
    listed_as_contact = models.BooleanField(
        _("me proposer comme contact de mon établissement"),
        default=False,
        help_text=_(
            "Votre nom et la mention ci-dessous paraissent sur la page de votre établissement ; "
            "les personnes connectées peuvent vous écrire par Passerelle, sans voir votre adresse."
        ),
    )
    contact_role = models.CharField(
        _("ce sur quoi on peut vous contacter"),
        max_length=150,
        blank=True,
        help_text=_("Par exemple : déploiement de Siham, télétravail, sécurité des SI."),
    )

    panels = [
        FieldPanel("user"),
        FieldPanel("establishment"),
        FieldPanel("job_title"),
        FieldPanel("listed_as_contact"),
        FieldPanel("contact_role"),
        FieldPanel("followed_domains"),
        FieldPanel("followed_audiences"),
    ]

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class AccountRequest(models.Model):
    """Someone whose address is not of a known establishment asks for an account (sign-up page).

    An editor approves (the account is created, a set-password link is emailed) or refuses (the
    person is told why), in the Wagtail admin (accounts/admin_views.py; rules: accounts/signup.py).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse électronique"), max_length=254)
    establishment_name = models.CharField(_("établissement ou organisme"), max_length=255)
    reason = models.TextField(_("motif de la demande"), max_length=2000)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("établissement de rattachement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traitée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("explication envoyée"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte créé"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de compte")
        verbose_name_plural = _("demandes de compte")

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class FederatedIdentity(models.Model):
    """One external identity (federation ePPN, ProConnect subject) bound to one account."""

    class Provider(models.TextChoices):
        SAML = "saml", _("Fédération de l'enseignement supérieur et de la recherche")
        PROCONNECT = "proconnect", _("ProConnect")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="federated_identities",
    )
    provider = models.CharField(_("fournisseur"), max_length=20, choices=Provider.choices)
    subject = models.CharField(_("identifiant externe"), max_length=255)
    issuer = models.CharField(_("émetteur"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True)

    class Meta:
        verbose_name = _("identité fédérée")
        verbose_name_plural = _("identités fédérées")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="accounts_federated_identity_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_provider_display()} : {self.subject}"


from accounts.personal_data_models import InactivityWarning, SignInEvent  # noqa: E402, F401
