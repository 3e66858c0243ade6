"""Reference data edited in the Wagtail admin: business domains and the bodies we relay."""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Domain(index.Indexed, models.Model):
    """A business domain (RH, Scolarité, Sécurité SI…): owns guide pages and forum categories.

    Its officers are the members of ``officer_group``; that group receives moderation rights on
    ``forum`` and every forum below it (see ``accounts.roles.sync_domain_permissions``).
    """

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant d'URL"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    forum = models.ForeignKey(
        "forum.Forum",
        verbose_name=_("catégorie du forum"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Catégorie du forum dont les chargés de ce domaine sont modérateurs."),
    )
    regulatory = models.BooleanField(
        _("réglementaire"),
        default=False,
        help_text=_(
            "Toute actualité publiée dans ce domaine demande la révision des pages du guide du "
            "domaine (par exemple : données personnelles, sécurité SI)."
        ),
    )
    officer_group = models.OneToOneField(
        Group,
        verbose_name=_("groupe des chargés de domaine"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="officer_of_domain",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("forum"),
        FieldPanel("regulatory"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")

    def __str__(self):
        return self.name

    @property
    def officers(self):
        from django.contrib.auth import get_user_model

        if self.officer_group_id is None:
            return get_user_model().objects.none()
        return self.officer_group.user_set.filter(is_active=True)
