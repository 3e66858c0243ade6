"""The forms a person fills in on the public site: sign-in, sign-up, account request, profile."""

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountRequest, Profile
from accounts.signup import establishment_for_email
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
        fields = [
            "job_title",
            "followed_domains",
            "followed_audiences",
            "listed_as_contact",
            "contact_role",
        ]
        labels = {"job_title": _("Fonction")}
        help_texts = {"job_title": _("Par exemple : RSSI, gestionnaire RH, chargée de scolarité.")}
        error_messages = {
            "job_title": {"max_length": _("150 caractères au plus (%(show_value)d saisis).")},
            "contact_role": {"max_length": _("150 caractères au plus (%(show_value)d saisis).")},
        }

    def clean_contact_role(self):
        return " ".join(self.cleaned_data.get("contact_role", "").split())


class SignInForm(LoginForm):
    """allauth's sign-in form, with the labels the site has always used."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Identifiant ou adresse électronique")
        self.fields["login"].widget.attrs.update(
            {"autocomplete": "username", "placeholder": "", "autocapitalize": "none"}
        )
        self.fields["password"].label = _("Mot de passe")
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.update({"placeholder": ""})


class SignUpForm(SignupForm):
    """Sign-up is open to the email domains of known establishments only."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].label = _("Adresse électronique professionnelle")
        self.fields["email"].help_text = _(
            "L'adresse de votre établissement (ex. prenom.nom@univ-exemple.fr)."
        )
        self.fields["password1"].label = _("Mot de passe")
        self.fields["password1"].help_text = _(
            "Au moins 12 caractères, pas uniquement des chiffres, ni trop proche de votre nom "
            "ou de votre adresse, ni trop courant."
        )
        self.fields["password2"].label = _("Mot de passe (confirmation)")
        for name in ("email", "password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        self.order_fields(self.field_order)

    def clean_email(self):
        email = super().clean_email()
        if email and establishment_for_email(email) is None:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _(
                        "Cette adresse n'appartient à aucun établissement connu de Passerelle. "
                        "Vous pouvez"
                    ),
                    reverse_lazy("accounts:request_account"),
                    _("demander un compte"),
                ),
                code="unknown_domain",
            )
        return email


class AccountRequestForm(forms.ModelForm):
    class Meta:
        model = AccountRequest
        fields = ["first_name", "last_name", "email", "establishment_name", "reason"]
        labels = {
            "first_name": _("Prénom"),
            "last_name": _("Nom"),
            "email": _("Adresse électronique"),
            "establishment_name": _("Établissement ou organisme"),
            "reason": _("Pourquoi souhaitez-vous un compte ?"),
        }
        help_texts = {
            "reason": _(
                "Votre fonction et ce que vous attendez de Passerelle (2 000 caractères au plus)."
            ),
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}
        error_messages = {
            "email": {
                "invalid": _("Saisissez une adresse électronique valide (ex. nom@exemple.fr).")
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["establishment_name"].widget.attrs["autocomplete"] = "organization"


class ReviewRequestForm(forms.Form):
    """An editor's answer to an account request, in the Wagtail admin."""

    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("Accepter : créer le compte")), ("refuse", _("Refuser"))],
        widget=forms.RadioSelect,
    )
    establishment = forms.ModelChoiceField(
        label=_("Établissement de rattachement"),
        queryset=None,
        required=False,
        help_text=_("Facultatif : l'établissement auquel rattacher la personne."),
    )
    note = forms.CharField(
        label=_("Explication (envoyée à la personne en cas de refus)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        from accounts.models import Establishment

        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = Establishment.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Expliquez le refus : la personne recevra ce texte."))
        return cleaned
