"""Every email Passerelle sends waits here first: a mail server that is down loses nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Abandonné")

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    to = models.EmailField(_("destinataire"), max_length=254)
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("en-têtes"), default=dict, blank=True)
    dedup_key = models.CharField(
        _("clé d'unicité"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Un second message avec la même clé n'est pas créé (ex. un résumé par jour)."),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class RefusedAddress(models.Model):
    """An address the mail server refused (SMTP 5xx) or that bounced: after ``STOP_AFTER``
    refusals nothing more is sent to it, and the person sees it on « Mes abonnements »."""

    STOP_AFTER = 3

    email = models.EmailField(_("adresse"), max_length=254, unique=True)
    refusals = models.PositiveSmallIntegerField(_("refus"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    last_refused_at = models.DateTimeField(_("dernier refus le"), null=True, blank=True)

    class Meta:
        verbose_name = _("adresse refusée")
        verbose_name_plural = _("adresses refusées")

    def __str__(self):
        return f"{self.email} ({self.refusals})"

    @property
    def stopped(self):
        return self.refusals >= self.STOP_AFTER

    @classmethod
    def is_stopped(cls, email):
        return cls.objects.filter(email__iexact=email, refusals__gte=cls.STOP_AFTER).exists()
