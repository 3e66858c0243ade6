"""Inactive accounts: warned by email, then erased (posts kept under "Ancien membre").

An account is inactive when its last activity (last sign-in, else the date it joined) is older
than ``PASSERELLE_INACTIVE_ACCOUNT_DAYS``. :func:`run` warns each inactive account once (an
``InactivityWarning`` row and an outbox message with a ``dedup_key``: running twice sends one
warning) and erases those warned more than ``PASSERELLE_INACTIVE_GRACE_DAYS`` ago that have not
come back. A person who signs in again is no longer inactive: their warning is removed.
Superusers and editors are never erased by this: they are warned and listed, and an
administrator decides.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.personal_data.erasure import erase_account
from accounts.personal_data.signins import purge_old_events
from accounts.personal_data_models import InactivityWarning
from outbox.delivery import enqueue

logger = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    warned: list = field(default_factory=list)
    erased: list = field(default_factory=list)
    protected: list = field(default_factory=list)  # inactive editors / superusers, never erased
    came_back: list = field(default_factory=list)
    signin_events_deleted: int = 0


def _base_url():
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def is_protected(user):
    return user.is_superuser or user.groups.filter(name=roles.EDITOR).exists()


def inactive_since(now=None):
    now = now or timezone.now()
    return now - datetime.timedelta(days=settings.PASSERELLE_INACTIVE_ACCOUNT_DAYS)


def inactive_users(now=None):
    User = get_user_model()
    return (
        User.objects.annotate(activity=Coalesce("last_login", "date_joined"))
        .filter(activity__lt=inactive_since(now))
        .order_by("pk")
    )


def _warning_email(user, deletion_date, protected):
    context = {
        "user": user,
        "deletion_date": deletion_date,
        "protected": protected,
        "login_url": _base_url() + reverse("accounts:login"),
        "privacy_url": _base_url() + "/donnees-personnelles/",
        "inactive_days": settings.PASSERELLE_INACTIVE_ACCOUNT_DAYS,
    }
    return (
        render_to_string("accounts/personal_data_inactivity_email.txt", context),
        render_to_string("accounts/personal_data_inactivity_email.html", context),
    )


def run(now=None, dry_run=False):
    """Warn, erase and report; with ``dry_run`` only report what would be done."""
    now = now or timezone.now()
    report = RetentionReport()
    grace = datetime.timedelta(days=settings.PASSERELLE_INACTIVE_GRACE_DAYS)

    # Those who came back since their warning are no longer concerned.
    for warning in InactivityWarning.objects.select_related("user").filter(
        user__last_login__gt=F("last_activity_at")
    ):
        report.came_back.append(warning.user.get_username())
        if not dry_run:
            warning.delete()

    for user in inactive_users(now).select_related("inactivity_warning"):
        warning = getattr(user, "inactivity_warning", None)
        protected = is_protected(user)
        if protected:
            report.protected.append(user.get_username())
        if warning is None:
            report.warned.append(user.get_username())
            if not dry_run:
                _warn(user, now, protected)
        elif not protected and warning.warned_at + grace <= now:
            report.erased.append(user.get_username())
            if not dry_run:
                erase_account(user, keep_posts=True)
    if not dry_run:
        report.signin_events_deleted = purge_old_events(now)
    logger.info(
        "purge_inactive_accounts%s: warned %s, erased %s, protected (never erased) %s, "
        "came back %s, old sign-in events deleted %s",
        " (dry run)" if dry_run else "",
        report.warned,
        report.erased,
        report.protected,
        report.came_back,
        report.signin_events_deleted,
    )
    return report


def _warn(user, now, protected):
    deletion_date = timezone.localdate(now) + datetime.timedelta(
        days=settings.PASSERELLE_INACTIVE_GRACE_DAYS
    )
    activity = user.last_login or user.date_joined
    InactivityWarning.objects.create(user=user, warned_at=now, last_activity_at=activity)
    if not user.email:
        return
    text, html = _warning_email(user, deletion_date, protected)
    enqueue(
        user.email,
        _("[Passerelle] Votre compte inactif sera supprimé")
        if not protected
        else _("[Passerelle] Votre compte est inactif"),
        text,
        html=html,
        dedup_key=f"inactive-warning:{user.pk}:{activity.isoformat()}",
    )
