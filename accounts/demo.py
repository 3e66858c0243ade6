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


# Establishment pages (issue 14): demo people listed as their establishment's contact.
DEMO_CONTACTS = {"personnel": "Poste de travail, VPN et télétravail"}
SHOWCASE_EXPERIENCE = (
    "Deux mille agents sur le VPN : notre dimensionnement",
    "Université de Valmont, 2 000 agents en télétravail deux jours par semaine.",
    "Licences portées à 1 400 connexions simultanées après une semaine de mesure des journaux.",
    "Aucune saturation depuis la rentrée ; le coût des licences est resté dans le budget.",
)


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
        if username in DEMO_CONTACTS:
            profile.listed_as_contact = True
            profile.contact_role = DEMO_CONTACTS[username]
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


def load_establishment_showcase():
    """Université de Valmont's page shows each kind of contribution: an accepted answer of its
    staff member (the Apogée topic), and an accepted experience that credits the VPN practice.
    Only where none exists; never changes a page or an account."""
    from machina.core.db.models import get_model

    from forum.community.models import TopicSolution
    from kb.models import Domain, ExperienceSubmission, PracticePage

    created = 0
    User = get_user_model()
    member = User.objects.filter(username="personnel", profile__establishment__uai="0759991A")
    member = member.first()
    if member is None:
        return 0
    Topic = get_model("forum_conversation", "Topic")
    topic = Topic.objects.filter(subject="Patch Apogée avant l'ouverture des inscriptions").first()
    if topic is not None and not TopicSolution.objects.filter(topic=topic).exists():
        reply = topic.posts.filter(poster=member, approved=True).exclude(pk=topic.first_post_id)
        reply = reply.order_by("created").first()
        if reply is not None:
            TopicSolution.objects.create(topic=topic, post=reply, marked_by=topic.poster)
            created += 1
    title, context, actions, results = SHOWCASE_EXPERIENCE
    domain = Domain.objects.filter(slug="teletravail").first()
    if domain is not None and not ExperienceSubmission.objects.filter(title=title).exists():
        ExperienceSubmission.objects.create(
            submitter=member,
            establishment=member.profile.establishment,
            domain=domain,
            title=title,
            context=context,
            actions=actions,
            results=results,
            consent_to_publish=True,
            status=ExperienceSubmission.Status.ACCEPTED,
            page=PracticePage.objects.filter(slug="acceder-au-si-par-le-vpn").first(),
        )
        created += 1
    return created
