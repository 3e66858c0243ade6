"""allauth's adapter for Passerelle: emails through the outbox, French messages, slowed failures."""

import hashlib
import time

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from outbox.delivery import enqueue

WRONG_CREDENTIALS = _(
    "Identifiant ou mot de passe incorrect. Les deux champs tiennent compte des majuscules et "
    "minuscules."
)
MAX_DELAY = 3.0


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": WRONG_CREDENTIALS,
        "username_password_mismatch": WRONG_CREDENTIALS,
        "username_email_password_mismatch": WRONG_CREDENTIALS,
        "too_many_login_attempts": _(
            "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est bloquée "
            "pendant quelques minutes : réessayez plus tard ou réinitialisez votre mot de passe."
        ),
        "account_inactive": _("Ce compte est désactivé."),
    }

    def send_mail(self, template_prefix, email, context):
        """Render allauth's email as usual, but queue it in the outbox instead of sending it."""
        from allauth.core import context as allauth_context

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": _Site()}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                html = content
        enqueue(email, message.subject, message.body, html=html)

    def authentication_failed(self, request, **credentials):
        """Slow down guessing: from the third failure for a login, each answer waits longer.

        The key is what was typed, so an unknown account and a wrong password wait alike."""
        login = (credentials.get("email") or credentials.get("username") or "").lower()
        step = getattr(settings, "ACCOUNT_LOGIN_FAILED_DELAY", 0)
        if not login or step <= 0:
            return
        typed = self._get_login_attempts_cache_key(request, **credentials).encode()
        key = "accounts-login-failures:" + hashlib.sha256(typed).hexdigest()
        cache.add(key, 0, timeout=15 * 60)
        try:
            failures = cache.incr(key)
        except ValueError:
            failures = 1
        if failures >= 3:
            time.sleep(min(step * (failures - 2), MAX_DELAY))


class _Site:
    """What allauth's email templates use of ``current_site``: the name and the domain."""

    name = "Passerelle"

    @property
    def domain(self):
        return settings.WAGTAILADMIN_BASE_URL.split("://", 1)[-1].rstrip("/")
