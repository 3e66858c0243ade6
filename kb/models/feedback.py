"""Readers' feedback on guide pages: "Cette page vous a-t-elle été utile ?"."""

from django.db import models
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 2000


class PageFeedback(models.Model):
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="kb_feedback",
    )
    useful = models.BooleanField(_("utile"))
    comment = models.TextField(_("commentaire"), blank=True, max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("reçu le"), auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("avis de lecteur")
        verbose_name_plural = _("avis des lecteurs")

    def __str__(self):
        return f"{self.page_id} · {'oui' if self.useful else 'non'}"

    @property
    def needs_review(self):
        """A "Non" with a comment goes to the owner's review list until handled."""
        return not self.useful and bool(self.comment.strip()) and self.handled_at is None
