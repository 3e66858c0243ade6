"""Readers' feedback: the form, the per-client rate limit, and the record."""

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from kb.models.feedback import COMMENT_MAX_LENGTH

RATE_LIMIT = 5  # answers per client ...
RATE_WINDOW = 10 * 60  # ... per ten minutes


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        label=_("Cette page vous a-t-elle été utile ?"),
        choices=[("oui", _("Oui")), ("non", _("Non"))],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez « Oui » ou « Non ».")},
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif, visible uniquement par l'équipe éditoriale)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "Votre commentaire dépasse %(limit_value)d caractères (il en compte "
                "%(show_value)d) : raccourcissez-le."
            )
        },
    )

    def clean_comment(self):
        # Kept exactly as written (plain text); every template escapes it, so markup is inert.
        return self.cleaned_data["comment"].strip()


def client_key(request):
    # REMOTE_ADDR only: X-Forwarded-For is written by the client and would let a flood through.
    return f"kb-feedback-rate:{request.META.get('REMOTE_ADDR', 'unknown')}"


def allow_feedback(request):
    """Count this answer against the client's budget; False once the budget is spent."""
    key = client_key(request)
    if cache.add(key, 1, RATE_WINDOW):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, RATE_WINDOW)
        return True
    return count <= RATE_LIMIT


def record_feedback(page, useful, comment):
    from kb.models import PageFeedback

    return PageFeedback.objects.create(page=page, useful=useful, comment=comment)
