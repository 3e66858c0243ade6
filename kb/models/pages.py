"""Page types of the site tree: home, guides and practices, notices, legal pages."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from kb.blocks import GuideStreamBlock
from kb.page_forms import KnowledgePageForm

INTRO_FEATURES = ["bold", "italic", "link"]


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["kb.GuideIndexPage", "notices.NoticeIndexPage", "kb.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        from forum.queries import recent_topics_for
        from notices.models import NoticePage

        context = super().get_context(request, *args, **kwargs)
        context["latest_notices"] = (
            NoticePage.objects.live()
            .public()
            .select_related("source")
            .order_by("-original_published_at", "-first_published_at")[:5]
        )
        context["featured_guides"] = (
            GuidePage.objects.live().public().filter(featured=True).order_by("title")[:6]
        )
        context["recent_topics"] = recent_topics_for(request.user, limit=5)
        return context


class StandardPage(Page):
    """A plain page: legal notice, accessibility statement, personal data."""

    body = StreamField(GuideStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["kb.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("page simple")
        verbose_name_plural = _("pages simples")


class GuideIndexPage(RoutablePageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["kb.HomePage"]
    subpage_types = ["kb.GuidePage", "kb.PracticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("index des guides")

    def get_context(self, request, *args, **kwargs):
        from kb.models.snippets import Domain

        context = super().get_context(request, *args, **kwargs)
        context["guides"] = (
            GuidePage.objects.child_of(self).live().public().select_related("domain")
        )
        context["practices"] = (
            PracticePage.objects.child_of(self).live().public().select_related("domain")
        )
        context["domains"] = Domain.objects.all()
        return context

    @path("domaine/<slug:slug>/")
    def domain_listing(self, request, slug):
        from kb.views.listings import domain_listing

        return domain_listing(request, self, slug)

    @path("mot-cle/<str:slug>/")
    def tag_listing(self, request, slug):
        from kb.views.listings import tag_listing

        return tag_listing(request, self, slug)


class GuidePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "kb.GuidePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class PracticePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "kb.PracticePage", related_name="tagged_items", on_delete=models.CASCADE
    )


def add_months(day, months):
    """``day`` plus ``months`` calendar months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


class KnowledgePage(RoutablePageMixin, Page):
    """What guides and practices share: an introduction, a body, a domain, an owner who keeps it
    fresh, and a readers' history of its published versions."""

    base_form_class = KnowledgePageForm

    intro = models.TextField(_("chapeau"), blank=True, max_length=600)
    body = StreamField(GuideStreamBlock(), verbose_name=_("contenu"), blank=True)
    domain = models.ForeignKey(
        "kb.Domain",
        verbose_name=_("domaine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable de la page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"groups__name": "Chargé de domaine", "is_active": True},
        help_text=_(
            "Le chargé de domaine qui vérifie régulièrement cette page. Sans responsable actif, "
            "les rappels vont aux chargés du domaine."
        ),
    )
    last_reviewed_at = models.DateField(
        _("dernière vérification"),
        null=True,
        blank=True,
        help_text=_("Date à laquelle le contenu a été vérifié comme toujours exact."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("intervalle de révision (mois)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    update_note = models.CharField(
        _("note de mise à jour"),
        max_length=255,
        blank=True,
        help_text=_(
            "Ce qui change dans cette version, en une phrase : affiché aux lecteurs dans "
            "l'historique des mises à jour."
        ),
    )
    minor_change = models.BooleanField(
        _("modification mineure"),
        default=False,
        help_text=_("Coquille, mise en forme : la version n'apparaît pas dans l'historique."),
    )

    freshness_panels = [
        MultiFieldPanel(
            [
                FieldPanel("owner_officer"),
                FieldPanel("last_reviewed_at"),
                FieldPanel("review_interval_months"),
            ],
            heading=_("Fraîcheur"),
        ),
        MultiFieldPanel(
            [FieldPanel("update_note"), FieldPanel("minor_change")],
            heading=_("Cette mise à jour"),
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("domain"),
        index.RelatedFields("domain", [index.SearchField("name")]),
    ]

    class Meta:
        abstract = True

    # Sub-paths served by the pages themselves (here and on the guides index).
    RESERVED_SLUGS = frozenset({"historique", "avis", "pdf", "domaine", "mot-cle", "partager"})

    def clean(self):
        super().clean()
        if self.slug in self.RESERVED_SLUGS:
            raise ValidationError(
                {
                    "slug": _(
                        "« %(slug)s » est réservé aux pages de service du guide : choisissez "
                        "un autre identifiant d'URL."
                    )
                    % {"slug": self.slug}
                }
            )

    # --- Freshness -------------------------------------------------------------------------

    @property
    def reviewed_on(self):
        """The day the content was last vouched for: its review, else its first publication."""
        if self.last_reviewed_at:
            return self.last_reviewed_at
        if self.first_published_at:
            return timezone.localdate(self.first_published_at)
        return None

    @property
    def review_due_on(self):
        reviewed = self.reviewed_on
        if reviewed is None:
            return None
        return add_months(reviewed, self.review_interval_months or 6)

    def is_review_overdue(self, today=None):
        due = self.review_due_on
        return due is not None and due < (today or timezone.localdate())

    # --- Readers' routes -------------------------------------------------------------------

    @path("historique/")
    def history_view(self, request):
        from kb.views.history import page_history

        return page_history(request, self)

    @path("historique/comparer/")
    def compare_view(self, request):
        from kb.views.history import compare_versions

        return compare_versions(request, self)

    @path("avis/")
    def feedback_view(self, request):
        from kb.views.feedback import page_feedback

        return page_feedback(request, self)

    def get_context(self, request, *args, **kwargs):
        from kb.feedback import FeedbackForm
        from kb.reviews import visible_open_requests
        from kb.toc import add_heading_anchors

        context = super().get_context(request, *args, **kwargs)
        body_html, toc = add_heading_anchors(str(self.body))
        context["body_html"] = body_html
        context["toc"] = toc
        context.setdefault("feedback_form", FeedbackForm())
        context["related_pages"] = self.related_pages()
        context["review_requests"] = visible_open_requests(self) if self.pk else []
        return context

    def related_pages(self, limit=5):
        """Other live practices sharing a tag, then the same domain."""
        tag_ids = list(self.tags.values_list("id", flat=True)) if self.pk else []
        queryset = PracticePage.objects.live().public().exclude(pk=self.pk)
        related = []
        if tag_ids:
            related = list(queryset.filter(tags__id__in=tag_ids).distinct()[:limit])
        if len(related) < limit and self.domain_id:
            more = queryset.filter(domain_id=self.domain_id).exclude(
                pk__in=[page.pk for page in related]
            )
            related += list(more[: limit - len(related)])
        return related


class GuidePage(KnowledgePage):
    """A guide (e.g. "Guide du télétravail"); its chapters are the practice pages below it."""

    featured = models.BooleanField(_("mis en avant sur l'accueil"), default=False)
    tags = ClusterTaggableManager(through=GuidePageTag, blank=True, verbose_name=_("mots-clés"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("domain"), FieldPanel("tags"), FieldPanel("featured")],
            heading=_("Classement"),
        ),
        FieldPanel("body"),
        *KnowledgePage.freshness_panels,
    ]

    parent_page_types = ["kb.GuideIndexPage"]
    subpage_types = ["kb.PracticePage"]

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def chapters(self):
        return PracticePage.objects.child_of(self).live().public()

    @path("pdf/")
    def pdf_view(self, request):
        from kb.views.export import guide_pdf

        return guide_pdf(request, self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["chapters"] = self.chapters()
        return context


class PracticePage(KnowledgePage):
    """A good practice: a chapter of a guide, or a page standing alone in a domain."""

    tags = ClusterTaggableManager(through=PracticePageTag, blank=True, verbose_name=_("mots-clés"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("domain"), FieldPanel("tags")], heading=_("Classement")),
        FieldPanel("body"),
        *KnowledgePage.freshness_panels,
    ]

    parent_page_types = ["kb.GuidePage", "kb.GuideIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("bonne pratique")
        verbose_name_plural = _("bonnes pratiques")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        parent = self.get_parent().specific
        if isinstance(parent, GuidePage):
            siblings = list(parent.chapters().only("id", "title", "url_path"))
            ids = [page.id for page in siblings]
            position = ids.index(self.id) if self.id in ids else None
            if position is not None:
                context["guide"] = parent
                context["previous_chapter"] = siblings[position - 1] if position > 0 else None
                context["next_chapter"] = (
                    siblings[position + 1] if position + 1 < len(siblings) else None
                )
        return context
