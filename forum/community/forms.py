from django import forms
from django.utils.translation import gettext_lazy as _

from forum.community.models import MemberSettings, PostReport, Subscription


class ReportForm(forms.ModelForm):
    class Meta:
        model = PostReport
        fields = ["reason", "comment"]
        labels = {"reason": _("Motif du signalement"), "comment": _("Précisions (facultatif)")}
        widgets = {
            "reason": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }


class ResolveForm(forms.Form):
    ACTIONS = [
        ("dismiss", _("Classer sans suite (le message reste visible)")),
        ("edited", _("J'ai modifié le message")),
        ("hide", _("Masquer le message")),
        ("delete", _("Supprimer le message")),
        ("lock", _("Verrouiller le sujet")),
    ]
    action = forms.ChoiceField(label=_("Décision"), choices=ACTIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (visible des modérateurs)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Motif"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SubscriptionForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Courriels"), choices=Subscription.Frequency.choices, initial="immediate"
    )


class MemberSettingsForm(forms.ModelForm):
    class Meta:
        model = MemberSettings
        fields = ["auto_subscribe", "notify_mentions"]
