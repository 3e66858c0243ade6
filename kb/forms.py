from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kb.models import Domain, ExperienceSubmission
from kb.models.experiences import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = ExperienceSubmission
        fields = [
            "title",
            "domain",
            "context",
            "actions",
            "results",
            "tools",
            "attachment",
            "consent_to_publish",
        ]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 5}),
            "actions": forms.Textarea(attrs={"rows": 8}),
            "results": forms.Textarea(attrs={"rows": 5}),
            "tools": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "context": _("Votre établissement, le service concerné, la situation de départ."),
            "actions": _("Les étapes, les choix faits et pourquoi."),
            "results": _("Ce qui a marché, ce qui n'a pas marché, ce que vous referiez."),
            "tools": _("Logiciels, services, documents utilisés (facultatif)."),
            "attachment": _("Facultatif. Formats : %(formats)s ; 10 Mo au plus.")
            % {"formats": ", ".join(ATTACHMENT_EXTENSIONS)},
            "consent_to_publish": _(
                "Sans votre accord, le retour est publié sans le nom de votre établissement."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.order_by("name")
        self.fields["domain"].empty_label = _("Choisissez un domaine")
        for name in ("title", "domain", "context", "actions", "results"):
            self.fields[name].error_messages["required"] = _("Ce champ est obligatoire.")
        for field in self.fields.values():
            if isinstance(field, forms.FileField):
                # A file field's "max_length" error is about the file's name and has its own
                # parameters (max, length): the text fields' message would raise a KeyError.
                field.error_messages["max_length"] = _(
                    "Le nom du fichier dépasse %(max)d caractères (il en compte %(length)d) : "
                    "renommez-le puis joignez-le à nouveau, rien de ce que vous avez écrit "
                    "n'est perdu."
                )
            elif getattr(field, "max_length", None):
                field.error_messages["max_length"] = _(
                    "Ce texte dépasse %(limit_value)d caractères (il en compte %(show_value)d) : "
                    "raccourcissez-le, rien de ce que vous avez écrit n'est perdu."
                )

    def clean(self):
        cleaned = super().clean()
        for name in ("title", "context", "actions", "results"):
            value = cleaned.get(name)
            if value is not None and not value.strip():
                self.add_error(name, _("Ce champ ne peut pas être vide."))
        return cleaned

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment and getattr(attachment, "size", 0) > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("La pièce jointe pèse %(size)s : 10 Mo au plus. Joignez-la à nouveau, réduite.")
                % {"size": filesizeformat(attachment.size)}
            )
        return attachment


class ReviewForm(forms.Form):
    ACTIONS = [
        ("accept", _("Accepter : créer un brouillon de bonne pratique")),
        ("changes", _("Demander des modifications")),
        ("decline", _("Refuser")),
    ]
    action = forms.ChoiceField(label=_("Décision"), choices=ACTIONS, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message à l'auteur (obligatoire pour une demande de modifications ou un refus)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("action") in {"changes", "decline"}
            and not cleaned.get("message", "").strip()
        ):
            self.add_error(
                "message",
                _("Expliquez à l'auteur ce qu'il doit modifier, ou pourquoi le retour est refusé."),
            )
        return cleaned
