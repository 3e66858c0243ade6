"""Official bodies, the feeds we read from them, and the entries waiting for an editor."""

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


def unique_source_slug(text, exclude_pk=None):
    base = slugify(text)[:55] or "source"
    slug, n = base, 2
    while Source.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


class Source(ClusterableModel):
    """An official body whose notices we relay (ministry, France Universités, ANSSI, CNIL, DNUM).

    The status fields sum up the last run of ``fetch_notices`` over the source's feeds; each feed
    keeps its own detail (:class:`SourceFeed`).
    """

    name = models.CharField(_("nom"), max_length=200, unique=True)
    acronym = models.CharField(_("sigle"), max_length=40)
    slug = models.SlugField(
        _("identifiant d'URL"),
        max_length=60,
        unique=True,
        blank=True,
        help_text=_(
            "Utilisé dans les filtres des actualités et des flux, ex. « cert-fr ». "
            "Laissé vide, il est déduit du sigle."
        ),
    )
    website = models.URLField(_("site web"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Seules les sources actives sont relevées.")
    )

    last_fetch_at = models.DateTimeField(_("dernier relevé"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(
        _("dernier succès"), null=True, blank=True, editable=False
    )
    last_error = models.TextField(_("dernière erreur"), blank=True, editable=False)
    last_error_at = models.DateTimeField(
        _("date de la dernière erreur"), null=True, blank=True, editable=False
    )
    entry_count = models.PositiveIntegerField(_("entrées reçues"), default=0, editable=False)
    last_warnings = models.TextField(
        _("avertissements"),
        blank=True,
        editable=False,
        help_text=_(
            "Ce que le dernier relevé de chaque flux a dû corriger ou deviner (encodage, XML mal "
            "formé, copies plus anciennes) : à vérifier auprès de la source."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("acronym"),
        FieldPanel("slug"),
        FieldPanel("website"),
        FieldPanel("logo"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        InlinePanel("feeds", heading=_("Flux RSS / Atom"), label=_("flux")),
        MultiFieldPanel(
            [
                FieldPanel("last_fetch_at", read_only=True),
                FieldPanel("last_success_at", read_only=True),
                FieldPanel("last_error_at", read_only=True),
                FieldPanel("last_error", read_only=True),
                FieldPanel("entry_count", read_only=True),
                FieldPanel("last_warnings", read_only=True),
            ],
            heading=_("État des relevés"),
        ),
    ]

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.acronym or self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_source_slug(self.acronym or self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    @property
    def status_label(self):
        """ "jamais relevée", "en erreur" (the last fetch failed) or "à jour"."""
        if self.last_fetch_at is None:
            return _("jamais relevée")
        if self.last_error_at and (
            self.last_success_at is None or self.last_error_at >= self.last_success_at
        ):
            return _("en erreur")
        return _("à jour")

    status_label.fget.short_description = _("état des relevés")

    @property
    def warnings_label(self):
        """The sources listing's column: how many warnings, and the first one."""
        lines = self.last_warnings.splitlines()
        if not lines:
            return "–"
        first = lines[0] if len(lines[0]) <= 160 else lines[0][:159] + "…"
        if len(lines) == 1:
            return first
        return _("%(n)s avertissements, dont : %(first)s") % {"n": len(lines), "first": first}

    warnings_label.fget.short_description = _("avertissements")


class SourceFeed(Orderable):
    """One RSS or Atom feed of a source, with what conditional GET needs and its own status."""

    source = ParentalKey(Source, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(_("adresse du flux"), max_length=500)
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_fetch_at = models.DateTimeField(_("dernier relevé"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(
        _("dernier succès"), null=True, blank=True, editable=False
    )
    last_error = models.TextField(_("dernière erreur"), blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_warnings = models.TextField(_("avertissements du dernier relevé"), blank=True)
    # Set while a process fetches this feed (cron, the "Relever maintenant" button…): a second
    # process leaves the feed alone until then. Past that date, the lease of a process that died
    # mid-fetch no longer counts.
    fetching_until = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [FieldPanel("url")]

    class Meta(Orderable.Meta):
        verbose_name = _("flux")
        verbose_name_plural = _("flux")
        constraints = [
            models.UniqueConstraint(fields=["source", "url"], name="notices_feed_unique_url")
        ]

    def __str__(self):
        return self.url


class FeedEntry(models.Model):
    """An entry read from a feed, waiting in the triage queue until an editor decides.

    Entries are unique per source by their id (``guid``); an entry without id is known by its
    link. Accepting one creates a draft notice; dismissing one keeps it here, so that the next
    fetch does not bring it back.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("À trier")
        ACCEPTED = "accepted", _("Acceptée")
        DISMISSED = "dismissed", _("Écartée")

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="entries"
    )
    feed = models.ForeignKey(
        SourceFeed,
        verbose_name=_("flux"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )
    guid = models.CharField(_("identifiant dans le flux"), max_length=500)
    link = models.URLField(_("lien"), max_length=1000, blank=True)
    title = models.CharField(_("titre"), max_length=500)
    summary = models.TextField(_("résumé (HTML nettoyé)"), blank=True)
    published_at = models.DateTimeField(_("publiée par la source le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("mise à jour par la source le"), null=True, blank=True)
    # The date the source gives to the version we hold: Atom ``updated`` (else ``published``),
    # RSS ``pubDate`` (else ``dc:date``). A copy dated earlier never replaces this version.
    source_updated_at = models.DateTimeField(_("mise à jour à la source le"), null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    # The hashes of the versions this one replaced (the last few, space-separated): an old copy
    # with the same date as the current version is recognised and does not come back.
    superseded_hashes = models.TextField(blank=True, editable=False)
    first_seen_at = models.DateTimeField(_("reçue le"))
    last_seen_at = models.DateTimeField(_("vue pour la dernière fois le"))

    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    dismiss_reason = models.TextField(_("motif"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    notice = models.ForeignKey(
        "notices.NoticePage",
        verbose_name=_("actualité créée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feed_entries",
    )

    changed_at_source_at = models.DateTimeField(
        _("mise à jour à la source détectée le"), null=True, blank=True
    )
    changes = models.TextField(_("ce qui a changé à la source"), blank=True)
    changes_seen_at = models.DateTimeField(
        _("mise à jour à la source prise en compte le"), null=True, blank=True
    )

    class Meta:
        ordering = ["-published_at", "-first_seen_at"]
        verbose_name = _("entrée de flux")
        verbose_name_plural = _("entrées de flux")
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="notices_entry_unique_guid")
        ]
        indexes = [models.Index(fields=["source", "link"], name="notices_entry_link")]

    def __str__(self):
        return self.title

    @property
    def changed_at_source(self):
        """True while a change seen at the source has not been taken into account."""
        return self.changed_at_source_at is not None and (
            self.changes_seen_at is None or self.changes_seen_at < self.changed_at_source_at
        )
