"""One door for every single sign-on: the federation (SAML 2) and ProConnect (OpenID Connect).

Both authentication backends (``accounts.saml.backend`` and ``accounts.proconnect``) turn what the
identity provider asserted into an :class:`Identity`, then call :func:`sign_in`, which in one
transaction finds or creates the account, its ``Profile`` and ``FederatedIdentity``, updates name,
email and establishment, and grants or withdraws the right to post. It never creates a second
account for an address that already has one: an existing account with the same email is linked
when the provider may vouch for that address, and refused otherwise (never a session for the
wrong person).

Every refusal is an :class:`IdentityError` whose ``message`` is the French sentence shown to the
person; the views render it with ``templates/accounts/federation_error.html`` and log ``code``.
"""

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Establishment, FederatedIdentity, Profile

logger = logging.getLogger("passerelle.sso")

UAI_IN_SUPANN_RE = re.compile(r"^\{UAI\}([0-9]{7}[A-Za-z])$", re.IGNORECASE)


class IdentityError(Exception):
    """A sign-in refused for a reason the person can read (``message``, French)."""

    def __init__(self, code, message, status=403):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


MESSAGES = {
    "missing_attribute": _(
        "Votre établissement n'a pas transmis toutes les informations nécessaires (%(what)s). "
        "Contactez le support informatique de votre établissement."
    ),
    "unknown_establishment": _(
        "Votre établissement n'est pas encore inscrit sur Passerelle. Demandez à votre "
        "correspondant de l'ajouter, ou écrivez à l'équipe de Passerelle."
    ),
    "email_taken": _(
        "Un compte Passerelle utilise déjà l'adresse %(email)s et votre fournisseur d'identité ne "
        "peut pas la garantir. Connectez-vous avec votre mot de passe, ou contactez l'équipe de "
        "Passerelle."
    ),
    "ambiguous_email": _(
        "Plusieurs comptes Passerelle utilisent l'adresse %(email)s : l'équipe de Passerelle doit "
        "les réunir avant que vous puissiez vous connecter ainsi."
    ),
    "inactive": _("Ce compte Passerelle est désactivé."),
}


def error(code, status=403, **params):
    message = MESSAGES[code]
    return IdentityError(code, message % params if params else message, status=status)


@dataclass
class Identity:
    """What an identity provider asserted about a person, already checked by its protocol."""

    provider: str  # FederatedIdentity.Provider
    subject: str  # stable identifier: ePPN for the federation, ``sub`` for ProConnect
    issuer: str
    email: str
    first_name: str = ""
    last_name: str = ""
    establishment: Establishment | None = None
    can_post: bool = False
    # Domains for which this provider may vouch for an address (linking an existing account).
    vouched_domains: list[str] = field(default_factory=list)
    vouches_for_any_email: bool = False


# --- Attributes of the federation ---------------------------------------------------------------


def first(values):
    for value in values or []:
        if value and str(value).strip():
            return str(value).strip()
    return ""


def establishment_for(supann_values, scope):
    """The establishment of a federated person: by UAI in supannEtablissement, else by the ePPN
    scope recorded on an establishment. None when neither matches."""
    uais = []
    for value in supann_values or []:
        match = UAI_IN_SUPANN_RE.match(str(value).strip())
        if match:
            uais.append(match.group(1).upper())
    if uais:
        found = Establishment.objects.filter(uai__in=uais).first()
        if found:
            return found
    if scope:
        scope = scope.lower()
        for candidate in Establishment.objects.filter(saml_scopes__icontains=scope):
            if scope in candidate.saml_scope_list:
                return candidate
    return None


def identity_from_saml(attributes, issuer, allowed_scopes=None):
    """Build the Identity of a federated person from the attributes of a checked assertion.

    ``attributes`` maps SAML attribute friendly names to lists of values (pysaml2's ``ava``).
    ``allowed_scopes``: the scopes the IdP's metadata declares (shibmd:Scope); when given, a
    principal name of another scope is refused as missing.
    """
    eppn = first(attributes.get("eduPersonPrincipalName"))
    email = first(attributes.get("mail")).lower()
    missing = []
    if not eppn or "@" not in eppn:
        missing.append("eduPersonPrincipalName")
    if not email or "@" not in email:
        missing.append("mail")
    if missing:
        raise error("missing_attribute", what=", ".join(missing))
    scope = eppn.rsplit("@", 1)[1].lower()
    if allowed_scopes is not None and scope not in {s.lower() for s in allowed_scopes}:
        logger.warning("SAML: scope %s of %s not declared by IdP %s", scope, eppn, issuer)
        raise error("missing_attribute", what="eduPersonPrincipalName")

    given = first(attributes.get("givenName"))
    surname = first(attributes.get("sn"))
    if not (given or surname):
        display = first(attributes.get("displayName"))
        given, _sep, surname = display.partition(" ")
    establishment = establishment_for(attributes.get("supannEtablissement"), scope)
    if establishment is None:
        raise error("unknown_establishment")

    affiliations = {
        str(value).split("@", 1)[0].strip().lower()
        for value in (attributes.get("eduPersonAffiliation") or [])
    }
    affiliations |= {
        str(value).split("@", 1)[0].strip().lower()
        for value in (attributes.get("eduPersonScopedAffiliation") or [])
    }
    can_post = bool(affiliations & set(settings.SSO_SAML_POSTING_AFFILIATIONS))
    vouched = {scope, *establishment.email_domain_list, *establishment.saml_scope_list}
    return Identity(
        provider=FederatedIdentity.Provider.SAML,
        subject=eppn.lower(),
        issuer=issuer,
        email=email,
        first_name=given[:150],
        last_name=surname[:150],
        establishment=establishment,
        can_post=can_post,
        vouched_domains=sorted(vouched),
    )


# --- Accounts -----------------------------------------------------------------------------------


def _unique_username(email):
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0])[:120] or "compte"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _account_for_email(identity):
    """An existing account to link, None for a new one; refuses what cannot be vouched for."""
    User = get_user_model()
    matches = list(User.objects.filter(email__iexact=identity.email)[:2])
    if not matches:
        return None
    if len(matches) > 1:
        raise error("ambiguous_email", email=identity.email)
    domain = identity.email.rsplit("@", 1)[1]
    if not (identity.vouches_for_any_email or domain in identity.vouched_domains):
        raise error("email_taken", email=identity.email)
    if matches[0].federated_identities.filter(provider=identity.provider).exists():
        # Already bound to another identity of this provider: someone else's account.
        raise error("email_taken", email=identity.email)
    return matches[0]


def _apply_posting_right(user, can_post):
    staff = Group.objects.filter(name=roles.STAFF).first()
    if staff is None:
        return
    if can_post:
        user.groups.add(staff)
    elif not user.is_superuser and not user.groups.exclude(pk=staff.pk).exists():
        # Read-only affiliations (student, affiliate) lose the staff role, unless the person holds
        # another role given by hand.
        user.groups.remove(staff)


def sign_in(identity):
    """Find, link or create the account of ``identity`` and bring it up to date. Atomic."""
    User = get_user_model()
    try:
        with transaction.atomic():
            link = (
                FederatedIdentity.objects.select_for_update()
                .select_related("user")
                .filter(provider=identity.provider, subject=identity.subject)
                .first()
            )
            created = False
            if link is not None:
                user = link.user
            else:
                user = _account_for_email(identity)
                if user is None:
                    user = User(username=_unique_username(identity.email))
                    user.set_unusable_password()
                    created = True
                    user.email = identity.email
                    user.save()
                link = FederatedIdentity(
                    user=user, provider=identity.provider, subject=identity.subject
                )
            if not user.is_active:
                raise error("inactive")
            if identity.email.lower() != (user.email or "").lower():
                clash = User.objects.filter(email__iexact=identity.email).exclude(pk=user.pk)
                if clash.exists():
                    raise error("email_taken", email=identity.email)
            user.email = identity.email
            if identity.first_name or identity.last_name:
                user.first_name = identity.first_name
                user.last_name = identity.last_name
            user.save()
            profile, _new = Profile.objects.get_or_create(user=user)
            if identity.establishment is not None and profile.establishment_id != (
                identity.establishment.pk
            ):
                profile.establishment = identity.establishment
                profile.save(update_fields=["establishment"])
            _apply_posting_right(user, identity.can_post)
            link.issuer = identity.issuer
            link.last_login_at = timezone.now()
            link.save()
    except IntegrityError:
        # Two first sign-ins of the same person at once: the other one won; nothing half-made.
        logger.warning("SSO: concurrent first sign-in for %s", identity.subject)
        raise error("ambiguous_email", email=identity.email) from None
    except IdentityError as exc:
        logger.warning(
            "SSO %s refused for %s (%s): %s",
            identity.provider,
            identity.subject,
            identity.issuer,
            exc.code,
        )
        raise
    logger.info(
        "SSO %s sign-in of %s as %s (%s)",
        identity.provider,
        identity.subject,
        user.username,
        "new account" if created else "existing account",
    )
    return user
