"""The search form: the query and the facet filters, all in the URL (GET)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from search.models import SearchDocument

MAX_QUERY_LENGTH = 200

PERIODS = [
    ("mois", _("Moins d'un mois"), 31),
    ("annee", _("Moins d'un an"), 366),
    ("ancien", _("Plus d'un an"), None),
]


def clean_text(raw):
    """Printable characters only (control characters, stray bytes decoded as U+FFFD dropped),
    spaces collapsed."""
    text = "".join(ch if ch.isprintable() and ch != "\ufffd" else " " for ch in raw or "")
    return " ".join(text.split())


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Que cherchez-vous ?"), required=False)
    type = forms.MultipleChoiceField(
        label=_("Type"), required=False, choices=SearchDocument.Kind.choices
    )
    domaine = forms.MultipleChoiceField(label=_("Domaine"), required=False)
    source = forms.MultipleChoiceField(label=_("Source"), required=False)
    forum = forms.MultipleChoiceField(label=_("Forum"), required=False)
    periode = forms.ChoiceField(
        label=_("Période"),
        required=False,
        choices=[("", _("Toutes les dates")), *[(key, label) for key, label, _d in PERIODS]],
    )

    def __init__(self, data, domains, sources, forum_ids=()):
        super().__init__(data)
        self.fields["domaine"].choices = [(d.slug, d.name) for d in domains]
        self.fields["source"].choices = [(str(s.pk), s.acronym or s.name) for s in sources]
        # Only the forums the person may read: any other id is dropped like an unknown one.
        self.fields["forum"].choices = [(str(pk), str(pk)) for pk in forum_ids]
        self.truncated = False

    def clean_q(self):
        text = clean_text(self.cleaned_data.get("q"))
        if len(text) > MAX_QUERY_LENGTH:
            self.truncated = True
            text = text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0] or text[:MAX_QUERY_LENGTH]
        return text

    def filters(self):
        """The valid filters; an unknown value (an old link, a hand-edited URL) is dropped."""
        values = {}
        for name in ("type", "domaine", "source", "forum", "periode"):
            field = self.fields[name]
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            valid = {str(key) for key, _label in field.choices}
            values[name] = [v for v in raw if v in valid and v]
        values["periode"] = values["periode"][:1]
        return values
