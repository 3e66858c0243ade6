"""Atom feeds of guide updates: site-wide and per domain (minor changes are left out)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from wagtail.models import Page

from kb.models import Domain, PageUpdate
from passerelle.sanitizer import text_to_html

FEED_SIZE = 50


class GuideUpdatesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug=None):
        self.request = request
        return get_object_or_404(Domain, slug=slug) if slug else None

    def title(self, domain):
        if domain is None:
            return _("Passerelle : mises à jour des guides")
        return _("Passerelle : mises à jour des guides – %(domain)s") % {"domain": domain.name}

    def subtitle(self, domain):
        return _(
            "Chaque version publiée des guides et bonnes pratiques, avec sa note de mise à jour."
        )

    def link(self, domain):
        return f"/guides/domaine/{domain.slug}/" if domain else "/guides/"

    def items(self, domain):
        # Live pages without view restrictions only: a private page's updates never leak.
        public_pages = Page.objects.live().public().values("pk")
        updates = PageUpdate.objects.filter(minor=False, page__in=public_pages).select_related(
            "page"
        )
        if domain is not None:
            updates = updates.filter(domain=domain)
        return updates.order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # The note is plain text on the page; Atom's summary is type="html": escape it here, at
        # the point of output, and pass it through the sanitizer like all HTML that leaves.
        return text_to_html(item.note or _("Mise à jour de la page."))

    def item_link(self, item):
        return f"{item.page.get_url(request=self.request)}historique/#version-{item.pk}"

    def item_guid(self, item):
        return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/kb/update/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
