"""Signed stop links (django.core.signing): one link per subscription or digest, usable without
signing in, and the ``List-Unsubscribe`` headers (RFC 2369 / RFC 8058) that carry it."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from subscriptions.models import Follow, Rhythm

SALT = "subscriptions.stop"
KINDS = {"domain", "audience", "page", "source", "sub", "digest"}


def make(user, kind, target):
    """A token that stops ``target`` (a pk, or "daily"/"weekly" for a digest) for ``user``."""
    if kind not in KINDS:
        raise ValueError(kind)
    return signing.dumps({"k": kind, "t": target, "u": user.pk}, salt=SALT, compress=True)


def read(token):
    data = signing.loads(token, salt=SALT)
    kind = data["k"]
    if kind not in KINDS:
        raise ValueError(kind)
    target = data["t"] if kind == "digest" else int(data["t"])
    if kind == "digest" and target not in (Rhythm.DAILY, Rhythm.WEEKLY):
        raise ValueError(target)
    return {"kind": kind, "target": target, "user": int(data["u"])}


def base_url():
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def stop_url(token):
    return f"{base_url()}{reverse('subscriptions:stop', args=[token])}"


def mailto_address():
    configured = getattr(settings, "PASSERELLE_UNSUBSCRIBE_MAILTO", "")
    if configured:
        return configured
    sender = str(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "")
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "localhost"
    return f"desabonnement@{domain}"


def headers(token, https_url=None):
    """``List-Unsubscribe`` (mailto and signed https link) and the RFC 8058 one-click header."""
    url = https_url or stop_url(token)
    return {
        "List-Unsubscribe": f"<{url}>, <mailto:{mailto_address()}?subject=stop%20{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _object(data):
    from wagtail.models import Page

    from forum.community.models import Subscription
    from kb.models import Domain
    from notices.models import Audience, Source

    models = {"domain": Domain, "audience": Audience, "source": Source, "page": Page,
              "sub": Subscription}  # fmt: skip
    model = models.get(data["kind"])
    if model is None:
        return None
    queryset = model.objects.all()
    if data["kind"] == "sub":
        queryset = queryset.filter(user_id=data["user"]).select_related("topic", "forum")
    return queryset.filter(pk=data["target"]).first()


def describe(data):
    """What the link stops, in French, for the confirmation page (None when already gone)."""
    if data["kind"] == "digest":
        return (
            _("votre résumé quotidien")
            if data["target"] == Rhythm.DAILY
            else _("votre résumé hebdomadaire")
        )
    obj = _object(data)
    if obj is None:
        return None
    if data["kind"] == "sub":
        return (
            _("le sujet « %(name)s »") % {"name": obj.topic.subject}
            if obj.topic_id
            else _("le forum « %(name)s »") % {"name": obj.forum.name}
        )
    labels = {
        "domain": _("le domaine « %(name)s »"),
        "audience": _("les actualités pour « %(name)s »"),
        "source": _("les actualités de « %(name)s »"),
        "page": _("le guide « %(name)s »"),
    }
    return labels[data["kind"]] % {"name": obj.title if data["kind"] == "page" else obj}


@transaction.atomic
def apply_stop(data):
    """Stop what the token names; stopping twice (or something gone) is fine."""
    from django.contrib.auth import get_user_model

    from forum.community.models import Subscription
    from subscriptions import follows

    user = get_user_model().objects.filter(pk=data["user"]).first()
    if user is None:
        return
    if data["kind"] == "digest":
        period = data["target"]
        for row in Follow.objects.filter(user=user, rhythm=period).select_related(
            "domain", "audience", "page", "source"
        ):
            follows.set_rhythm(user, row.target, Rhythm.NONE)
        Subscription.objects.filter(user=user, frequency=period).update(
            frequency=Subscription.Frequency.NONE
        )
        return
    if data["kind"] == "sub":
        Subscription.objects.filter(pk=data["target"], user=user).delete()
        return
    obj = _object(data)
    if obj is not None:
        follows.set_rhythm(user, obj, Rhythm.NONE)
