"""The notices index (/actualites/, its filters and feeds) and the relayed notices."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from kb.blocks import GuideStreamBlock
from notices.panels import SourceChangesPanel

INTRO_FEATURES = ["bold", "italic", "link"]

# The audiences a notice can be addressed to, in display order (slug, name). A data migration
# creates them; :func:`notices.models.pages.ensure_audiences` does too, idempotently.
AUDIENCES = [
    ("dsi", "DSI"),
    ("rssi", "RSSI"),
    ("dpo", "DPO"),
    ("rh", "RH"),
    ("scolarite", "Scolarité"),
    ("recherche", "Recherche"),
    ("direction", "Direction"),
]


class Audience(models.Model):
    """Who in an establishment a notice is for (DSI, RSSI, DPO…); people follow audiences too."""

    slug = models.SlugField(_("identifiant d'URL"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("public")
        verbose_name_plural = _("publics")

    def __str__(self):
        return self.name


def ensure_audiences():
    """Create the audiences that are missing; never touches existing rows. Returns how many."""
    created = 0
    for position, (slug, name) in enumerate(AUDIENCES):
        _audience, was_created = Audience.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        created += was_created
    return created


class NoticeIndexPage(RoutablePageMixin, Page):
    """/actualites/: the notices, newest first, with filters; the same filters drive the feeds."""

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["kb.HomePage"]
    subpage_types = ["notices.NoticePage"]
    max_count = 1
    per_page = 20

    class Meta:
        verbose_name = _("index des actualités")

    def notices(self):
        return NoticePage.objects.child_of(self).live().public()

    @path("")
    def index_route(self, request):
        from notices.filters import NoticeFilterForm

        form = NoticeFilterForm(request.GET or None, index_page=self)
        notices = form.filter(self.notices())
        page_obj = Paginator(notices, self.per_page).get_page(request.GET.get("page"))
        return self.render(
            request,
            context_overrides={
                "filter_form": form,
                "notices": page_obj,
                "query_string": form.query_string(),
                "feed_query": form.query_string(),
            },
        )

    @path("atom/", name="atom")
    def atom_route(self, request):
        from notices.feeds import NoticeAtomFeed

        return NoticeAtomFeed(self)(request)

    @path("rss/", name="rss")
    def rss_route(self, request):
        from notices.feeds import NoticeRssFeed

        return NoticeRssFeed(self)(request)


class NoticePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "notices.NoticePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class NoticePage(Page):
    """A notice relayed from an official body, with what it means for establishments."""

    class Category(models.TextChoices):
        SECURITY_ALERT = "alerte", _("Alerte de sécurité")
        ADVISORY = "avis", _("Avis")
        RECOMMENDATION = "recommandation", _("Recommandation")
        REGULATION = "reglementation", _("Réglementation")
        CALENDAR = "calendrier", _("Calendrier")
        INFORMATION = "information", _("Information")

    class Priority(models.TextChoices):
        INFORMATION = "information", _("Information")
        IMPORTANT = "important", _("Important")
        URGENT = "urgent", _("Urgent")

    source = models.ForeignKey(
        "notices.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="notices"
    )
    reference = models.CharField(
        _("référence d'origine"),
        max_length=100,
        blank=True,
        help_text=_("Par exemple CERTFR-2026-ALE-012."),
    )
    source_references = models.TextField(
        _("textes cités"),
        blank=True,
        max_length=4000,
        help_text=_(
            "Une référence par ligne : CERTFR-2026-AVI-0123, identifiant d'un référentiel de la "
            "CNIL, identifiant ou lien d'un guide de l'ANSSI. Les pages du guide qui citent l'un "
            "de ces textes sont signalées à leur responsable quand l'actualité est publiée."
        ),
    )
    original_url = models.URLField(_("lien vers l'original"), max_length=1000, blank=True)
    original_published_at = models.DateField(_("date de publication d'origine"))
    source_updated_at = models.DateTimeField(
        _("mise à jour à la source le"),
        null=True,
        blank=True,
        help_text=_("La date de la version de la source sur laquelle repose cette actualité."),
    )
    category = models.CharField(
        _("catégorie"), max_length=20, choices=Category.choices, default=Category.INFORMATION
    )
    priority = models.CharField(
        _("priorité"), max_length=20, choices=Priority.choices, default=Priority.INFORMATION
    )
    audiences = ParentalManyToManyField(
        "notices.Audience", blank=True, verbose_name=_("publics concernés")
    )
    summary = models.TextField(_("résumé"), max_length=2000)
    impact = RichTextField(
        _("impact pour les établissements"),
        blank=True,
        features=["bold", "italic", "ul", "link"],
        help_text=_("Obligatoire pour une actualité urgente."),
    )
    body = StreamField(GuideStreamBlock(), verbose_name=_("contenu"), blank=True)
    domains = ParentalManyToManyField("kb.Domain", blank=True, verbose_name=_("domaines"))
    tags = ClusterTaggableManager(
        through=NoticePageTag,
        blank=True,
        verbose_name=_("mots-clés"),
        help_text=_("Les pages du guide qui portent l'un de ces mots-clés seront à réviser."),
    )
    expires_at = models.DateField(
        _("date d'expiration"),
        null=True,
        blank=True,
        help_text=_(
            "Après cette date, l'actualité est présentée comme archivée (elle reste consultable) "
            "et ne figure plus dans le bandeau d'alerte."
        ),
    )
    content_panels = [
        *Page.content_panels,
        SourceChangesPanel(heading=_("Mis à jour à la source")),
        MultiFieldPanel(
            [
                FieldPanel("source"),
                FieldPanel("reference"),
                FieldPanel("source_references"),
                FieldPanel("original_url"),
                FieldPanel("original_published_at"),
                FieldPanel("source_updated_at"),
            ],
            heading=_("Origine"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("priority"),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
                FieldPanel("domains", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
                FieldPanel("expires_at"),
            ],
            heading=_("Classement"),
        ),
        FieldPanel("summary"),
        FieldPanel("impact"),
        FieldPanel("body"),
        InlinePanel("related_pages", heading=_("Pages du guide liées"), label=_("page liée")),
        InlinePanel(
            "review_pages",
            heading=_("Pages du guide à réviser"),
            label=_("page à réviser"),
            help_text=_(
                "À la publication, le responsable de chaque page reçoit une demande de révision "
                "(en plus des pages trouvées par les textes cités, les mots-clés et les domaines "
                "réglementaires)."
            ),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("reference"),
        index.SearchField("summary"),
        index.SearchField("impact"),
        index.SearchField("body"),
        index.FilterField("source"),
        index.FilterField("category"),
        index.FilterField("priority"),
        index.RelatedFields("source", [index.SearchField("name"), index.SearchField("acronym")]),
    ]

    parent_page_types = ["notices.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")

    def clean(self):
        super().clean()
        if self.priority == self.Priority.URGENT and not (self.impact or "").strip():
            raise ValidationError(
                {
                    "impact": _(
                        "Une actualité urgente doit préciser l'impact pour les établissements."
                    )
                }
            )
        if (
            self.expires_at
            and self.original_published_at
            and self.expires_at < self.original_published_at
        ):
            raise ValidationError(
                {
                    "expires_at": _(
                        "La date d'expiration ne peut précéder la date de publication d'origine."
                    )
                }
            )

    @property
    def relayed_at(self):
        return self.first_published_at

    @property
    def is_archived(self):
        return self.expires_at is not None and self.expires_at < timezone.localdate()

    @cached_property
    def related_guide_pages(self):
        return [
            link.page.specific
            for link in self.related_pages.select_related("page")
            if link.page.live
        ]


class NoticeRelatedPage(Orderable):
    """A guide or practice page that helps establishments act on a notice."""

    notice = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="related_pages")
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("page", page_type=["kb.GuidePage", "kb.PracticePage"])]

    class Meta(Orderable.Meta):
        verbose_name = _("page liée")
        verbose_name_plural = _("pages liées")


class NoticeReviewPage(Orderable):
    """A guide or practice page an editor linked by hand: the notice asks for its review."""

    notice = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="review_pages")
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("page", page_type=["kb.GuidePage", "kb.PracticePage"])]

    class Meta(Orderable.Meta):
        verbose_name = _("page à réviser")
        verbose_name_plural = _("pages à réviser")

    def clean(self):
        super().clean()
        from kb.history import is_knowledge_page

        if self.page_id and not is_knowledge_page(self.page.specific):
            raise ValidationError(
                {
                    "page": _(
                        "Choisissez un guide ou une bonne pratique : seules ces pages ont un "
                        "responsable qui les vérifie."
                    )
                }
            )


def today():
    return timezone.localdate()


def unexpired(queryset, on=None):
    """Notices whose expiry date has not passed (or that never expire)."""
    on = on or today()
    return queryset.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gte=on))
