"""machina's move-topic form, in French, with a required reason recorded in the moderation log."""

from django import forms
from machina.apps.forum_moderation.forms import TopicMoveForm as MachinaTopicMoveForm

REASON_REQUIRED = (
    "Indiquez le motif du déplacement : il est consigné dans le journal de modération."
)


class SelectWithDisabledOptions(forms.Select):
    """A select whose listed values are shown but cannot be chosen (categories, the topic's forum).

    machina's ``SelectWithDisabled`` expects choices Django 5 reads as option groups: it rendered
    the current forum as a group with options named "label" and "disabled".
    """

    def __init__(self, *args, disabled=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled = {str(value) for value in disabled}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled:
            option["attrs"]["disabled"] = True
        return option


class TopicMoveForm(MachinaTopicMoveForm):
    motif = forms.CharField(
        label="Motif du déplacement (consigné dans le journal de modération)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": REASON_REQUIRED,
            "max_length": "Le motif ne doit pas dépasser 2 000 caractères.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        disabled = [
            f.id for f in self.allowed_forums if f.is_category or f.id == self.topic.forum_id
        ]
        self.fields["forum"].choices = [("", "Choisissez le forum de destination")] + [
            (f.id, "{} {}".format("–" * f.margin_level, f.name).strip())
            for f in self.allowed_forums
        ]
        self.fields["forum"].widget = SelectWithDisabledOptions(
            choices=self.fields["forum"].choices, disabled=disabled
        )
        self.fields["forum"].label = "Forum de destination"
        self.fields["forum"].error_messages["required"] = "Choisissez le forum de destination."
        self.fields["lock_topic"].label = "Verrouiller aussi le sujet"

    def clean_forum(self):
        try:
            return super().clean_forum()
        except forms.ValidationError:
            raise forms.ValidationError(
                "Ce forum ne peut pas recevoir le sujet : choisissez un autre forum que le sien, "
                "qui ne soit ni une catégorie ni un lien."
            ) from None
