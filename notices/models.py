"""Notices relayed from official bodies: the sources, the notices index and the notices."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from kb.blocks import GuideStreamBlock

INTRO_FEATURES = ["bold", "italic", "link"]


class Source(models.Model):
    """An official body whose notices we relay (ministry, France Universités, ANSSI, CNIL, DNUM)."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    acronym = models.CharField(_("sigle"), max_length=40)
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("acronym"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.acronym or self.name


class NoticeIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["kb.HomePage"]
    subpage_types = ["notices.NoticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("index des actualités")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = (
            NoticePage.objects.child_of(self)
            .live()
            .public()
            .select_related("source")
            .order_by("-original_published_at", "-first_published_at")
        )
        context["notices"] = Paginator(notices, 20).get_page(request.GET.get("page"))
        return context


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
    reference = models.CharField(_("référence d'origine"), max_length=100, blank=True)
    original_url = models.URLField(_("lien vers l'original"), max_length=500, blank=True)
    original_published_at = models.DateField(_("date de publication d'origine"))
    category = models.CharField(
        _("catégorie"), max_length=20, choices=Category.choices, default=Category.INFORMATION
    )
    priority = models.CharField(
        _("priorité"), max_length=20, choices=Priority.choices, default=Priority.INFORMATION
    )
    summary = models.TextField(_("résumé"), max_length=2000)
    impact = RichTextField(
        _("impact pour les établissements"), blank=True, features=["bold", "italic", "ul", "link"]
    )
    body = StreamField(GuideStreamBlock(), verbose_name=_("contenu"), blank=True)
    domains = ParentalManyToManyField("kb.Domain", blank=True, verbose_name=_("domaines"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("source"),
                FieldPanel("reference"),
                FieldPanel("original_url"),
                FieldPanel("original_published_at"),
            ],
            heading=_("Origine"),
        ),
        MultiFieldPanel(
            [FieldPanel("category"), FieldPanel("priority"), FieldPanel("domains")],
            heading=_("Classement"),
        ),
        FieldPanel("summary"),
        FieldPanel("impact"),
        FieldPanel("body"),
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
