"""Who may sign up, what verification gives them, and how an editor answers a request.

- An address whose domain is listed on an establishment (``Establishment.email_domains``) may sign
  up; once the address is verified, the person is attached to that establishment and joins the
  "Personnel d'établissement" role (:func:`attach_verified_address`).
- Anyone else may ask for an account (:class:`accounts.models.AccountRequest`); an editor approves
  it (:func:`approve_request`: the account is created and a set-password link goes through the
  outbox) or refuses it with an explanation (:func:`refuse_request`).
"""

import logging

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import AccountRequest, Establishment, Profile
from outbox.delivery import enqueue

logger = logging.getLogger(__name__)


def email_domain(email):
    return (email or "").rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


def establishment_for_email(email):
    """The establishment whose email domains include this address's domain, or None."""
    domain = email_domain(email)
    if not domain:
        return None
    for establishment in Establishment.objects.exclude(email_domains="").only(
        "pk", "name", "email_domains"
    ):
        if domain in establishment.email_domain_list:
            return establishment
    return None


def attach_verified_address(user, email):
    """After ``email`` is verified: attach the person to its establishment and give the role."""
    establishment = establishment_for_email(email)
    profile, _created = Profile.objects.get_or_create(user=user)
    if establishment is None:
        return None
    if profile.establishment_id != establishment.pk:
        profile.establishment = establishment
        profile.save(update_fields=["establishment"])
    user.groups.add(Group.objects.get(name=roles.STAFF))
    logger.info("User %s verified %s: attached to %s", user.pk, email, establishment.uai)
    return establishment


def absolute_url(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def set_password_url(user):
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
    )
    return absolute_url(path)


def _unique_username(email):
    User = get_user_model()
    base = (email.split("@", 1)[0] or "membre")[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def approve_request(account_request, editor, establishment=None):
    """Create the account (verified address, role, profile); email a set-password link."""
    User = get_user_model()
    account_request = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if account_request.status != AccountRequest.Status.PENDING:
        return None
    email = account_request.email.strip()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(
            username=_unique_username(email),
            email=email,
            first_name=account_request.first_name,
            last_name=account_request.last_name,
        )
        user.set_unusable_password()
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    profile, _created = Profile.objects.get_or_create(user=user)
    if establishment is not None:
        profile.establishment = establishment
        profile.save(update_fields=["establishment"])
    user.groups.add(Group.objects.get(name=roles.STAFF))
    account_request.status = AccountRequest.Status.APPROVED
    account_request.establishment = establishment
    account_request.decided_at = timezone.now()
    account_request.decided_by = editor
    account_request.user = user
    account_request.save()
    context = {
        "request_obj": account_request,
        "user": user,
        "set_password_url": set_password_url(user),
        "days": settings.ACCOUNT_PASSWORD_RESET_TIMEOUT // 86400 or 1,
    }
    enqueue(
        email,
        render_to_string("accounts/email/request_approved_subject.txt", context).strip(),
        render_to_string("accounts/email/request_approved.txt", context),
        dedup_key=f"account-request-{account_request.pk}-approved",
    )
    logger.info("Account request %s approved by %s: user %s", account_request.pk, editor, user.pk)
    return user


@transaction.atomic
def refuse_request(account_request, editor, note):
    account_request = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if account_request.status != AccountRequest.Status.PENDING:
        return False
    account_request.status = AccountRequest.Status.REFUSED
    account_request.decided_at = timezone.now()
    account_request.decided_by = editor
    account_request.decision_note = note
    account_request.save()
    context = {"request_obj": account_request, "note": note}
    enqueue(
        account_request.email,
        render_to_string("accounts/email/request_refused_subject.txt", context).strip(),
        render_to_string("accounts/email/request_refused.txt", context),
        dedup_key=f"account-request-{account_request.pk}-refused",
    )
    logger.info("Account request %s refused by %s", account_request.pk, editor)
    return True


def notify_editors_of_request(account_request):
    """Tell the editors a request waits (one email each, through the outbox)."""
    User = get_user_model()
    editors = User.objects.filter(is_active=True, groups__name=roles.EDITOR).exclude(email="")
    context = {
        "request_obj": account_request,
        "admin_url": absolute_url(reverse("accounts_requests:review", args=[account_request.pk])),
    }
    subject = render_to_string("accounts/email/request_received_subject.txt", context).strip()
    text = render_to_string("accounts/email/request_received.txt", context)
    for editor in editors.distinct():
        enqueue(
            editor.email,
            subject,
            text,
            dedup_key=f"account-request-{account_request.pk}-{editor.pk}",
        )
