"""Review requests: an official notice made a guide or practice page possibly wrong."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewRequest(models.Model):
    """One notice asks the owner of one page to check it; open until someone verifies the page.

    One row per page and notice (republishing the notice adds nothing); ``reason`` says why the
    notice concerns the page and ``detail`` what they share (the reference, tag or domain)."""

    class Reason(models.TextChoices):
        REFERENCE = "reference", _("source citée par la page")
        TAG = "tag", _("mot-clé commun")
        DOMAIN = "domain", _("domaine réglementaire")
        MANUAL = "manual", _("lien fait par un éditeur")

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="kb_review_requests"
    )
    notice = models.ForeignKey(
        "notices.NoticePage",
        verbose_name=_("actualité"),
        on_delete=models.CASCADE,
        related_name="review_requests",
    )
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("élément commun"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("vérifiée le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vérifiée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("demande de révision")
        verbose_name_plural = _("demandes de révision")
        constraints = [
            models.UniqueConstraint(fields=["page", "notice"], name="kb_review_request_once")
        ]
        indexes = [models.Index(fields=["page", "resolved_at"], name="kb_review_open_idx")]

    def __str__(self):
        return f"{self.page_id} ← {self.notice_id} ({self.reason})"

    @property
    def is_open(self):
        return self.resolved_at is None

    @property
    def reason_text(self):
        """Why, in one phrase: « source citée par la page : CERTFR-2026-AVI-0123 »."""
        label = self.get_reason_display()
        return f"{label} : {self.detail}" if self.detail else str(label)
