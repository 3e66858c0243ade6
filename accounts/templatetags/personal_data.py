"""``when``: an ISO date of the personal-data export, shown as "2 décembre 2026 à 05:10"."""

import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def when(value):
    if not value:
        return ""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return date_format(parsed, "j F Y à H:i")


@register.simple_tag
def recent_sign_ins(user, limit=10):
    """The person's last sign-ins, shaped like the export's ``historique_des_connexions``."""
    from accounts.personal_data.export import sign_in_rows
    from accounts.personal_data_models import SignInEvent

    if not getattr(user, "is_authenticated", False):
        return []
    return sign_in_rows(SignInEvent.objects.filter(user=user).order_by("-at", "-pk")[:limit])
