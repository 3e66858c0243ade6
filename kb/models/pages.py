"""Page types of the site tree: home, guides and practices, notices, legal pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from kb.blocks import GuideStreamBlock

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
            .order_by("-first_published_at")[:5]
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


class GuideIndexPage(Page):
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


class GuidePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "kb.GuidePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class PracticePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "kb.PracticePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class KnowledgePage(Page):
    """What guides and practices share: an introduction, a body, a domain."""

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

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("domain"),
        index.RelatedFields("domain", [index.SearchField("name")]),
    ]

    class Meta:
        abstract = True


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
    ]

    parent_page_types = ["kb.GuideIndexPage"]
    subpage_types = ["kb.PracticePage"]

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def chapters(self):
        return PracticePage.objects.child_of(self).live().public()

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
