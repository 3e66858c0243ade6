from django import forms
from django.utils.translation import gettext_lazy as _

from subscriptions.models import Rhythm

RHYTHM_ERROR = _("Choisissez un rythme dans la liste : immédiatement, résumé quotidien, "
                 "résumé hebdomadaire ou jamais.")  # fmt: skip


class FollowsForm(forms.Form):
    """One select per followed thing (and per domain and audience, followed or not): one POST
    changes or stops any of them. ``rows`` is [(section, field name, label, url, rhythm)]."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for _section, name, label, _url, rhythm in self.rows:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=Rhythm.choices,
                initial=rhythm,
                error_messages={"invalid_choice": RHYTHM_ERROR, "required": RHYTHM_ERROR},
            )

    def sections(self):
        """[(section, [(bound field, url)])] in the order of ``rows``."""
        grouped = {}
        for section, name, _label, url, _rhythm in self.rows:
            grouped.setdefault(section, []).append((self[name], url))
        return list(grouped.items())

    def changed(self):
        """{field name: new rhythm} for the selects whose value changed."""
        return {name: self.cleaned_data[name] for name in self.changed_data}
