"""Lists that grow render with the same number of queries for 10 and for 200 items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles
from kb.models import ExperienceSubmission, PageFeedback, PracticePage
from tests import factories


@pytest.fixture(autouse=True)
def _render_every_request(settings):
    # These tests count what a render costs; the page cache (passerelle/pagecache.py) would
    # answer the warmed pages with no query at all.
    settings.PASSERELLE_PAGE_CACHE = False


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return len(queries)


@pytest.mark.django_db
def test_domain_and_tag_listings(client, site_tree):
    domain = factories.DomainFactory(name="Finances", slug="finances")

    def grow_to(n):
        while PracticePage.objects.filter(domain=domain).count() < n:
            i = PracticePage.objects.count()
            page = PracticePage(
                title=f"Pratique {i}", slug=f"pratique-{i}", domain=domain, live=True
            )
            page.tags.add("chorus")
            site_tree.guides.add_child(instance=page)  # live without revisions: faster to build

    grow_to(10)
    count_queries(client, "/guides/domaine/finances/")  # warm the site root paths cache
    small = (
        count_queries(client, "/guides/domaine/finances/"),
        count_queries(client, "/guides/mot-cle/chorus/"),
        count_queries(client, "/guides/"),
    )
    grow_to(200)
    count_queries(client, "/guides/domaine/finances/")  # the writes renewed the cached fragments
    large = (
        count_queries(client, "/guides/domaine/finances/"),
        count_queries(client, "/guides/mot-cle/chorus/"),
        count_queries(client, "/guides/"),
    )
    assert small == large


@pytest.mark.django_db
def test_contributions_queue_and_feedback_report(client_for, site_tree):
    domain = factories.DomainFactory(name="RH", slug="rh")
    officer = factories.make_officer(domain)
    staff = factories.make_user(roles.STAFF, factories.EstablishmentFactory())
    page = factories.make_practice(site_tree.guides, domain=domain, owner_officer=officer)

    def grow_to(n):
        for i in range(ExperienceSubmission.objects.count(), n):
            ExperienceSubmission.objects.create(
                submitter=staff, domain=domain, title=f"Retour {i}", context="c", actions="a",
                results="r", officer_message="Précisez." if i % 2 else "",
            )  # fmt: skip
            PageFeedback.objects.create(page=page, useful=bool(i % 2), comment=f"Avis {i}")

    staff_client, officer_client = client_for(staff), client_for(officer)
    paths = [
        (staff_client, "/compte/contributions/"),
        (officer_client, "/admin/retours-experience/"),
        (officer_client, "/admin/avis-lecteurs/"),
    ]
    grow_to(10)
    for client, path in paths:
        count_queries(client, path)
    small = [count_queries(client, path) for client, path in paths]
    grow_to(200)
    for client, path in paths:
        count_queries(client, path)  # the writes renewed the cached fragments (urgent banner)
    assert [count_queries(client, path) for client, path in paths] == small
