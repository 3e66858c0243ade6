"""Template builtin (config/settings/base.py, "Accessibility and French"): Django's ``date``
filter, with the French ordinal of the first day of a month ("1er décembre", never "1 décembre").
"""

import re

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import translation

register = template.Library()

MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
FIRST_OF_MONTH = re.compile(rf"(?<![\d,.])\b1 ({MONTHS})\b", re.IGNORECASE)


def french_ordinal(text):
    """``1 décembre 2026`` → ``1er décembre 2026`` (any other text is returned as it is)."""
    if not (translation.get_language() or "fr").startswith("fr"):
        return text
    return FIRST_OF_MONTH.sub(r"1er \1", text)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    return french_ordinal(django_date(value, arg))
