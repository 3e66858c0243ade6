"""The readers' history of a page: one row per published version, with its update note."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PageUpdate(models.Model):
    """A published version of a guide or practice page, as readers see it in the history."""

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="kb_updates"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    domain = models.ForeignKey(
        "kb.Domain", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("titre"), max_length=255)
    published_at = models.DateTimeField(_("publiée le"), db_index=True)
    note = models.CharField(_("note de mise à jour"), max_length=255, blank=True)
    minor = models.BooleanField(_("modification mineure"), default=False)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("version publiée")
        verbose_name_plural = _("versions publiées")

    def __str__(self):
        return f"{self.title} ({self.published_at:%d/%m/%Y})"
