from django import template
from django.urls import reverse

from subscriptions import follows
from subscriptions.models import Rhythm

register = template.Library()


@register.inclusion_tag("subscriptions/includes/follow_button.html", takes_context=True)
def follow_button(context, obj, label):
    """« Suivre » / « Ne plus suivre » for a domain, a guide page or a notice source. Anonymous
    readers get a sign-in link (no form, no CSRF cookie: the page stays cacheable)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    kind = follows.kind_of(obj)
    rhythm = follows.rhythm_of(user, obj) if signed_in else Rhythm.NONE
    return {
        "request": request,
        "signed_in": signed_in,
        "label": label,
        "following": rhythm != Rhythm.NONE,
        "rhythm": rhythm,
        "rhythm_label": Rhythm(rhythm).label,
        "choices": [c for c in Rhythm.choices if c[0] != Rhythm.NONE],
        "action": reverse("subscriptions:toggle", args=[kind, obj.pk]),
        "uid": f"follow-{kind}-{obj.pk}",
        "login_url": f"{reverse('accounts:login')}?next={request.path if request else '/'}",
        "csrf_token": context.get("csrf_token"),
    }
