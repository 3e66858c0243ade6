"""The site-wide fragments (passerelle/pagecache.py): the urgent banner costs no query once
cached, on every page and for signed-in people too, and shows a change at once; a page's query
count does not grow with the number of pages, domains or notices."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from notices.models import NoticePage
from passerelle import pagecache
from tests import factories


def urgent(tree, title):
    return factories.make_notice(
        tree.notices,
        title=title,
        priority=NoticePage.Priority.URGENT,
        impact="Mettre à jour.",
        original_published_at=datetime.date.today(),
    )


def rendered_queries(client, url):
    """Queries of a full render (the page cache is off in the test using this) with the
    fragments read from their cache: what a signed-in reader or a page just changed pays."""
    pagecache.reset()
    client.get(url)  # rebuilds the fragments
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


@pytest.mark.django_db
def test_the_banner_is_read_once_then_from_the_cache_and_renewed_on_change(site_tree, client_for):
    urgent(site_tree, "Faille du VPN")
    person = client_for(factories.make_user(roles.STAFF))
    profile = reverse("accounts:profile")  # a personal page: never in the page cache
    first = person.get(profile)
    assert "Faille du VPN" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = person.get(profile)
    assert "Faille du VPN" in second.content.decode()
    assert second["Cache-Control"] == "private, no-store"
    assert not [q for q in queries if "notices_noticepage" in q["sql"]]
    urgent(site_tree, "Faille du pare-feu")
    page = person.get(profile).content.decode()
    assert "Faille du pare-feu" in page and "Faille du VPN" in page
    # Lifted: gone at once from every page, signed in or not.
    NoticePage.objects.get(title="Faille du VPN").unpublish()
    assert "Faille du VPN" not in person.get("/").content.decode()
    assert "Faille du VPN" not in Client().get("/").content.decode()


@pytest.mark.django_db
def test_home_and_chapter_queries_do_not_grow_with_the_site(site_tree, settings):
    settings.PASSERELLE_PAGE_CACHE = False  # measure the render itself
    guide = factories.make_guide(site_tree.guides, title="Guide du réseau")
    chapter = factories.make_practice(guide, title="Chapitre un")

    def grow(n):
        for i in range(n):
            domain = factories.DomainFactory(name=f"Domaine {n}-{i}", slug=f"domaine-{n}-{i}")
            factories.make_practice(guide, title=f"Chapitre {n}-{i}", domain=domain)
            other = factories.make_guide(site_tree.guides, title=f"Guide {n}-{i}")
            factories.make_practice(other, title=f"Pratique {n}-{i}")
            factories.make_notice(site_tree.notices, title=f"Avis {n}-{i}")
            urgent(site_tree, f"Alerte {n}-{i}")

    client = Client()
    grow(2)
    small = {url: rendered_queries(client, url)[0] for url in ("/", chapter.url, "/actualites/")}
    grow(12)
    large = {}
    for url in ("/", chapter.url, "/actualites/"):
        large[url], content = rendered_queries(client, url)
        assert "Alerte 12-" in content  # the newest urgent notices are in the banner
    assert small == large
