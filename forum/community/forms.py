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
    action = forms.ChoiceField(
        label=_("Décision"),
        choices=ACTIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez une décision."),
            "invalid_choice": _("Choisissez une décision parmi celles proposées."),
        },
    )
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


class AssignmentForm(forms.Form):
    """Give a topic to one of its domain's officers (the choices are computed per topic)."""

    officer = forms.ChoiceField(label=_("Chargé(e) de domaine"))
    note = forms.CharField(
        label=_("Note (consignée dans le journal de modération)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.officers = {str(person.pk): person for person in officers}
        self.fields["officer"].choices = [
            ("", _("— Choisir —")),
            *[(pk, p.get_full_name() or p.username) for pk, p in self.officers.items()],
        ]
        self.fields["officer"].error_messages["invalid_choice"] = _(
            "Choisissez un(e) chargé(e) du domaine de ce forum."
        )
        self.fields["officer"].error_messages["required"] = _(
            "Choisissez la personne qui répondra."
        )

    def clean_officer(self):
        return self.officers[self.cleaned_data["officer"]]


class NoAnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Pourquoi aucune réponse n'est nécessaire (consigné dans le journal)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez pourquoi ce sujet n'attend pas de réponse.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Indiquez pourquoi ce sujet n'attend pas de réponse."))
        return note
