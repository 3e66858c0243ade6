"""The profile form a person fills in on the public site (/compte/profil/)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from kb.models import Domain
from notices.models import Audience


class ProfileForm(forms.ModelForm):
    followed_domains = forms.ModelMultipleChoiceField(
        label=_("Domaines suivis"),
        queryset=Domain.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les actualités urgentes de ces domaines vous sont envoyées par courriel."),
    )
    followed_audiences = forms.ModelMultipleChoiceField(
        label=_("Publics suivis"),
        queryset=Audience.objects.order_by("position", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Les actualités urgentes adressées à ces publics vous sont envoyées par courriel."
        ),
    )

    class Meta:
        model = Profile
        fields = ["job_title", "followed_domains", "followed_audiences"]
        labels = {"job_title": _("Fonction")}
        help_texts = {"job_title": _("Par exemple : RSSI, gestionnaire RH, chargée de scolarité.")}
        error_messages = {
            "job_title": {"max_length": _("150 caractères au plus (%(show_value)d saisis).")}
        }
