"""Demo establishments and one demo user per role (demo only: the passwords are public)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import Establishment, Profile

DEMO_PASSWORD = "passerelle-demo"  # noqa: S105 - printed by `make run` and in the README
# Editors and administrators need TOTP before the admin: the demo's secrets are public too.
# `python manage.py demo_totp editeur` prints the current code (README, "Demo logins").
DEMO_TOTP_SECRETS = {
    "editeur": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "admin": "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA",
}

ESTABLISHMENTS = [
    ("0759991A", "Université de Valmont", "universite", "Île-de-France", "univ-valmont.fr"),
    ("0699992B", "Université Rhône-Alpine", "universite", "Auvergne-Rhône-Alpes", "univ-ra.fr"),
    ("0339993C", "Université des Landes et de l'Estuaire", "universite", "Nouvelle-Aquitaine",
     "univ-landes-estuaire.fr"),
    ("0599994D", "École nationale d'ingénieurs de Clairmarais", "ecole", "Hauts-de-France",
     "enic.fr"),
    ("0299995E", "Institut de recherche Océans et Littoraux", "organisme", "Bretagne",
     "iro-littoral.fr"),
]  # fmt: skip

# username, first name, last name, role group, establishment UAI, job title, officer of domains
USERS = [
    ("personnel", "Camille", "Martin", roles.STAFF, "0759991A", "Responsable de la DSI", []),
    ("personnel2", "Yanis", "Benali", roles.STAFF, "0699992B", "Gestionnaire scolarité", []),
    ("charge", "Nadia", "Lefèvre", roles.OFFICER, None, "Chargée de domaine télétravail et SI",
     ["teletravail", "securite-si"]),
    ("charge-rh", "Olivier", "Dubreuil", roles.OFFICER, None, "Chargé de domaine RH / Siham",
     ["rh"]),
    ("editeur", "Claire", "Rousseau", roles.EDITOR, None, "Éditrice", []),
    ("admin", "Paul", "Girard", roles.ADMINISTRATOR, None, "Administrateur de Passerelle", []),
]  # fmt: skip


def load_establishments():
    created = 0
    for uai, name, kind, region, domains in ESTABLISHMENTS:
        _obj, was_created = Establishment.objects.get_or_create(
            uai=uai,
            defaults={"name": name, "kind": kind, "region": region, "email_domains": domains},
        )
        created += was_created
    return created


def load_users():
    """Create missing demo users; an existing account (even a demo one) is left untouched."""
    from kb.models import Domain

    User = get_user_model()
    created = []
    for username, first, last, role, uai, job, officer_domains in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(
            username=username,
            email=f"{username}@passerelle.local",
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
        )
        if role == roles.ADMINISTRATOR:
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        user.groups.add(Group.objects.get(name=role))
        establishment = Establishment.objects.filter(uai=uai).first() if uai else None
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.establishment = establishment
        profile.job_title = job
        profile.save()
        for slug in officer_domains:
            domain = Domain.objects.filter(slug=slug).first()
            if domain is not None:
                roles.assign_officer(user, domain)
                profile.followed_domains.add(domain)
        created.append(username)
    ensure_demo_sign_in()
    return created


def ensure_demo_sign_in():
    """Demo users sign in as anyone would: a verified address, and TOTP for editors and admin."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    User = get_user_model()
    for user in User.objects.filter(username__in=[row[0] for row in USERS]):
        if user.email and not EmailAddress.objects.filter(user=user, email=user.email).exists():
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        secret = DEMO_TOTP_SECRETS.get(user.username)
        if secret and not Authenticator.objects.filter(user=user, type="totp").exists():
            TOTP.activate(user, secret)
            RecoveryCodes.activate(user)
