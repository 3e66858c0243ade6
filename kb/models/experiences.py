"""Establishments' experiences (retours d'expérience) submitted for the guide."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

ATTACHMENT_EXTENSIONS = [
    "pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "txt", "csv", "png", "jpg", "jpeg",
]  # fmt: skip
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class ExperienceSubmission(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("En attente d'examen")
        CHANGES_REQUESTED = "changes_requested", _("Modifications demandées")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Refusée")

    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="experience_submissions",
    )
    establishment = models.ForeignKey(
        "accounts.Establishment",
        verbose_name=_("établissement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    domain = models.ForeignKey(
        "kb.Domain", verbose_name=_("domaine"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("titre"), max_length=200)
    context = models.TextField(_("contexte"), max_length=5000)
    actions = models.TextField(_("ce qui a été fait"), max_length=10000)
    results = models.TextField(_("résultats"), max_length=5000)
    tools = models.TextField(_("outils utilisés"), max_length=2000, blank=True)
    attachment = models.FileField(
        _("pièce jointe"),
        upload_to="retours-experience/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    consent_to_publish = models.BooleanField(
        _("j'accepte la publication avec le nom de mon établissement"), default=False
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    officer_message = models.TextField(_("message du chargé de domaine"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examinée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    page = models.ForeignKey(
        "kb.PracticePage",
        verbose_name=_("page créée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("retour d'expérience")
        verbose_name_plural = _("retours d'expérience")

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in {self.Status.SUBMITTED, self.Status.CHANGES_REQUESTED}

    @property
    def editable_by_submitter(self):
        return self.status == self.Status.CHANGES_REQUESTED
