"""Forms of the establishment pages: the list's filters and the contact form."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Establishment

SUBJECT_MAX = 150
MESSAGE_MAX = 5000


def _one_line(text):
    return " ".join((text or "").split())


class EstablishmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom ou code UAI"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Tous les types")), *Establishment.Kind.choices],
    )
    region = forms.ChoiceField(label=_("Région"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = (
            Establishment.objects.exclude(region="")
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        )
        self.fields["region"].choices = [("", _("Toutes les régions"))] + [(r, r) for r in regions]

    def clean_q(self):
        return _one_line(self.cleaned_data.get("q"))

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(Q(name__icontains=data["q"]) | Q(uai__iexact=data["q"]))
        if data.get("type"):
            queryset = queryset.filter(kind=data["type"])
        if data.get("region"):
            queryset = queryset.filter(region=data["region"])
        return queryset


class ContactForm(forms.Form):
    subject = forms.CharField(
        label=_("Objet"),
        max_length=SUBJECT_MAX,
        error_messages={
            "required": _("Indiquez l'objet de votre message."),
            "max_length": _("150 caractères au plus (%(show_value)d saisis)."),
        },
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Écrivez votre message."),
            "max_length": _("5 000 caractères au plus (%(show_value)d saisis)."),
        },
    )

    def clean_subject(self):
        subject = _one_line(self.cleaned_data.get("subject"))
        if not subject:
            raise forms.ValidationError(_("Indiquez l'objet de votre message."))
        return subject

    def clean_message(self):
        message = (self.cleaned_data.get("message") or "").strip()
        if not message:
            raise forms.ValidationError(_("Écrivez votre message."))
        return message
