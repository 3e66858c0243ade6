"""The admin form of guide and practice pages: an officer writes only in their own domains."""

from django import forms
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from accounts import roles


class KnowledgePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        user = self.for_user
        if user is None or "domain" not in self.fields or roles.edits_every_domain(user):
            return cleaned
        allowed = roles.officer_domains(user)
        domain = cleaned.get("domain")
        if domain is None or not allowed.filter(pk=domain.pk).exists():
            names = ", ".join(allowed.values_list("name", flat=True)) or _("aucun")
            self.add_error(
                "domain",
                forms.ValidationError(
                    _(
                        "Choisissez l'un de vos domaines (%(names)s) : une page d'un autre domaine "
                        "est rédigée par ses chargés ou par un éditeur."
                    )
                    % {"names": names}
                ),
            )
        return cleaned
