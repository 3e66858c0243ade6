"""Atom (/actualites/atom/) and RSS (/actualites/rss/) feeds, with the filters of the list.

A DSI subscribes to ``/actualites/atom/?source=cert-fr&priorite=urgent``: the parameters are those
of /actualites/ (see :mod:`notices.filters`). Each entry's id is the notice's absolute address,
stable across edits; its updated date is the notice's last publication.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from notices.filters import NoticeFilterForm
from passerelle.sanitizer import sanitize_html, text_to_html

FEED_LENGTH = 50


class _NoticeFeed(Feed):
    feed_type = Rss201rev2Feed

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.form = NoticeFilterForm(request.GET or None, index_page=self.index_page)
        if self.form.is_bound and not self.form.is_valid():
            return HttpResponseBadRequest(
                _("Filtre invalide. %(errors)s") % {"errors": self.form.error_text()},
                content_type="text/plain; charset=utf-8",
            )
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def _absolute(self, url):
        return self.request.build_absolute_uri(url)

    def title(self):
        labels = []
        if self.form.is_bound:
            for name in ("source", "categorie", "priorite", "public", "domaine", "annee"):
                value = self.form.cleaned_data.get(name)
                if value:
                    field = self.form.fields[name]
                    if hasattr(field, "choices") and not hasattr(value, "pk"):
                        value = dict(field.choices).get(value, value)
                    labels.append(str(value))
        suffix = f" ({', '.join(labels)})" if labels else ""
        return _("Passerelle – actualités relayées%(filters)s") % {"filters": suffix}

    def link(self):
        query = self.form.query_string()
        return self._absolute(self.index_page.url + (f"?{query}" if query else ""))

    def description(self):
        return _(
            "Les actualités des autorités (ministère, France Universités, ANSSI / CERT-FR, CNIL, "
            "DNUM) relayées pour les établissements d'enseignement supérieur."
        )

    def feed_url(self):
        return self.request.build_absolute_uri()

    def items(self):
        return list(
            self.form.filter(self.index_page.notices())
            .prefetch_related("domains", "audiences")
            .order_by("-original_published_at", "-first_published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        prefix = f"[{item.get_priority_display()}] " if item.priority != "information" else ""
        return f"{prefix}{item.title}"

    def item_description(self, item):
        # RSS <description> and Atom <summary type="html"> are HTML to feed readers: the plain
        # text summary is escaped, the impact's rich text sanitized, here at the point of output.
        # Titles stay text (escaped once by the feed generator).
        parts = [text_to_html(item.summary)]
        if item.impact:
            parts.append(sanitize_html(expand_db_html(item.impact)))
        return "".join(parts)

    def item_link(self, item):
        return self._absolute(item.url)

    def item_guid(self, item):
        return self._absolute(item.url)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return timezone.make_aware(
            datetime.datetime.combine(item.original_published_at, datetime.time(12)),
            timezone.get_default_timezone(),
        )

    def item_updateddate(self, item):
        return item.last_published_at or self.item_pubdate(item)

    def item_author_name(self, item):
        return item.source.name

    def item_categories(self, item):
        return [
            item.get_category_display(),
            *[domain.name for domain in item.domains.all()],
            *[audience.name for audience in item.audiences.all()],
        ]


class NoticeRssFeed(_NoticeFeed):
    feed_type = Rss201rev2Feed


class NoticeAtomFeed(_NoticeFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
