"""What a person follows beyond the forum, and the digests already sent.

Forum and topic subscriptions stay in ``forum_community.Subscription``; followed domains and
audiences stay in ``accounts.Profile`` (the urgent-notice choices). This app adds the rhythm of
those (``Follow`` rows for a domain or an audience), follows of guide pages and notice sources,
and ``DigestRun``: one row per person and period, so that a digest is never sent twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Rhythm(models.TextChoices):
    IMMEDIATE = "immediate", _("immédiatement")
    DAILY = "daily", _("résumé quotidien")
    WEEKLY = "weekly", _("résumé hebdomadaire")
    NONE = "none", _("jamais")


TARGETS = ("domain", "audience", "page", "source")


class Follow(models.Model):
    """A person follows one domain, audience, guide page (or the guide index) or notice source."""

    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="follows", verbose_name=_("personne")
    )
    domain = models.ForeignKey(
        "kb.Domain", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("domaine"),
    )  # fmt: skip
    audience = models.ForeignKey(
        "notices.Audience", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("public"),
    )  # fmt: skip
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("guide"),
    )  # fmt: skip
    source = models.ForeignKey(
        "notices.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("source d'actualités"),
    )  # fmt: skip
    rhythm = models.CharField(
        _("rythme"), max_length=10, choices=Rhythm.choices, default=Rhythm.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suivi")
        verbose_name_plural = _("suivis")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(domain__isnull=False, audience=None, page=None, source=None)
                    | Q(domain=None, audience__isnull=False, page=None, source=None)
                    | Q(domain=None, audience=None, page__isnull=False, source=None)
                    | Q(domain=None, audience=None, page=None, source__isnull=False)
                ),
                name="subscriptions_follow_one_target",
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"subscriptions_one_follow_per_{target}",
                )
                for target in TARGETS
            ],
        ]

    def __str__(self):
        return f"{self.user} → {self.target} ({self.rhythm})"

    @property
    def kind(self):
        return next(t for t in TARGETS if getattr(self, f"{t}_id"))

    @property
    def target(self):
        return getattr(self, self.kind)


class DigestRun(models.Model):
    """A digest sent (or found empty) for one person and one period: never a second one."""

    class Period(models.TextChoices):
        DAILY = "daily", _("quotidien")
        WEEKLY = "weekly", _("hebdomadaire")

    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="digest_runs", verbose_name=_("personne")
    )
    period = models.CharField(_("période"), max_length=10, choices=Period.choices)
    # The day (daily) or the ISO week (weekly), e.g. "2026-12-02" / "2026-W49".
    key = models.CharField(_("période du"), max_length=12)
    items = models.PositiveIntegerField(_("éléments"), default=0)
    message = models.ForeignKey(
        "outbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("résumé envoyé")
        verbose_name_plural = _("résumés envoyés")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "key"], name="subscriptions_one_digest_per_period"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.period} {self.key}"
