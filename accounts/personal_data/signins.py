"""Sign-in history: one ``SignInEvent`` per sign-in, and per failed attempt on a known account.

Only what a person needs to spot a sign-in that is not theirs is kept: the date, the method, the
address truncated to its network (IPv4 /24, IPv6 /48: the provider and the area, never the
machine) and the browser and system families read from the user agent (the full string, which
can single out one browser, is never stored).
"""

import datetime
import ipaddress
import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils import timezone

from accounts.personal_data_models import SignInEvent

logger = logging.getLogger(__name__)

# Checked in order: Edge and Opera announce Chrome too, Chrome announces Safari.
_BROWSERS = [
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chromium", re.compile(r"\bChromium/")),
    ("Chrome", re.compile(r"Chrome/|\bCriOS/")),  # HeadlessChrome too
    ("Safari", re.compile(r"\bSafari/")),
]
_SYSTEMS = [
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux|X11")),
]


def user_agent_family(user_agent):
    """'Firefox · Linux' from a user agent string; '' when nothing is recognised."""
    user_agent = (user_agent or "")[:1000]
    browser = next((name for name, rx in _BROWSERS if rx.search(user_agent)), "")
    system = next((name for name, rx in _SYSTEMS if rx.search(user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)


def truncate_ip(raw):
    """The network of an address: 192.0.2.17 → 192.0.2.0/24, 2001:db8:1:2::5 → 2001:db8:1::/48."""
    try:
        address = ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def method_for(user, request=None):
    """The sign-in method, from the authentication backend that let the person in."""
    backend = (getattr(user, "backend", "") or "").lower()
    if request is not None and not backend:
        backend = (request.session.get("_auth_user_backend", "") or "").lower()
    if "saml" in backend:
        return SignInEvent.Method.SAML
    if "oidc" in backend or "openid" in backend or "proconnect" in backend:
        return SignInEvent.Method.OIDC
    if "modelbackend" in backend or "allauth" in backend or not backend:
        return SignInEvent.Method.PASSWORD
    return SignInEvent.Method.OTHER


def history_cutoff(now=None):
    now = now or timezone.now()
    return now - datetime.timedelta(days=round(30.44 * settings.PASSERELLE_SIGNIN_HISTORY_MONTHS))


def record(user, request=None, succeeded=True, method=None):
    meta = getattr(request, "META", {}) if request is not None else {}
    event = SignInEvent.objects.create(
        user=user,
        succeeded=succeeded,
        ip_prefix=truncate_ip(meta.get("REMOTE_ADDR", "")),
        user_agent_family=user_agent_family(meta.get("HTTP_USER_AGENT", "")),
        method=method or method_for(user, request if succeeded else None),
    )
    # The person's own old events go as soon as they are past the retention period.
    SignInEvent.objects.filter(user=user, at__lt=history_cutoff()).delete()
    return event


def purge_old_events(now=None):
    """Delete every event older than the retention period; returns how many."""
    return SignInEvent.objects.filter(at__lt=history_cutoff(now)).delete()[0]


def on_logged_in(sender, request, user, **kwargs):
    try:
        record(user, request, succeeded=True)
    except Exception:  # the history must never keep anyone from signing in
        logger.exception("Could not record the sign-in of user %s", user.pk)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or (credentials or {}).get("email")
    if not username:
        return
    User = get_user_model()
    field = User.USERNAME_FIELD if "@" not in username else "email"
    user = User.objects.filter(**{f"{field}__iexact": username}).order_by("pk").first()
    if user is None:
        return
    try:
        record(user, request, succeeded=False, method=SignInEvent.Method.PASSWORD)
    except Exception:
        logger.exception("Could not record a failed sign-in of user %s", user.pk)


def connect():
    user_logged_in.connect(on_logged_in, dispatch_uid="personal-data-signin")
    user_login_failed.connect(on_login_failed, dispatch_uid="personal-data-signin-failed")
