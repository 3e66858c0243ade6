"""Admin panel on a notice: what changed at the source since the notice was made from its entry."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class SourceChangesPanel(Panel):
    """Shows the "mis à jour à la source" flag of the feed entries a notice was made from."""

    def clone_kwargs(self):
        return super().clone_kwargs()

    @property
    def clean_name(self):
        return super().clean_name or "source_changes"

    class BoundPanel(Panel.BoundPanel):
        template_name = "notices/admin/source_changes_panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.entries = []
            if self.instance is not None and self.instance.pk:
                self.entries = [
                    entry
                    for entry in self.instance.feed_entries.filter(
                        changed_at_source_at__isnull=False
                    ).order_by("-changed_at_source_at")
                    if entry.changed_at_source
                ]

        def is_shown(self):
            return bool(self.entries)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["entries"] = self.entries
            context["heading_text"] = _("Mis à jour à la source")
            return context
