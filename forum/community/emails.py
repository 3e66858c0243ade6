"""Forum emails: rendered from templates, queued through the outbox, with a signed one-click
unsubscribe link (RFC 8058 ``List-Unsubscribe`` / ``List-Unsubscribe-Post``) when they come
from a subscription."""

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from outbox.delivery import enqueue

UNSUBSCRIBE_SALT = "forum-community.unsubscribe"


def base_url():
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def absolute(path):
    return path if path.startswith("http") else f"{base_url()}{path}"


def unsubscribe_token(subscription=None, digest_user=None):
    """A signed token for one subscription, or for every daily digest of ``digest_user``."""
    if digest_user is not None:
        return signing.dumps({"d": 1, "u": digest_user.pk}, salt=UNSUBSCRIBE_SALT)
    return signing.dumps({"s": subscription.pk, "u": subscription.user_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """{"s": subscription id or None, "u": user id, "d": digest?}; raises signing.BadSignature
    (or KeyError / ValueError) when forged or truncated."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return {
        "s": int(data["s"]) if "s" in data else None,
        "u": int(data["u"]),
        "d": bool(data.get("d")),
    }


def unsubscribe_url(subscription=None, digest_user=None):
    token = unsubscribe_token(subscription, digest_user)
    return absolute(reverse("forum_community:unsubscribe", args=[token]))


def send(user, subject, template, context, dedup_key=None, subscription=None, digest=False):
    """Queue one email to ``user`` (rendered from ``template``.txt and .html)."""
    if not user.email or not user.is_active:
        return None
    context = {**context, "user": user, "base_url": base_url(), "subscription": subscription}
    headers = {}
    if subscription is not None or digest:
        url = unsubscribe_url(None if digest else subscription, user if digest else None)
        context["unsubscribe_url"] = url
        # The https link and a mailto, with the RFC 8058 one-click header (subscriptions.tokens).
        from subscriptions import tokens

        headers.update(tokens.headers(url.rstrip("/").rsplit("/", 1)[-1], url))
    if "url" in context:
        context["url"] = absolute(context["url"])
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    return enqueue(
        user.email,
        f"[Passerelle] {subject}",
        text,
        html=html,
        headers=headers,
        dedup_key=dedup_key,
    )
