"""The triage queue: accept makes a draft (never published), dismiss needs a reason and sticks."""

import pytest
from django.utils import timezone

from accounts import roles
from notices.fetcher import fetch_sources
from notices.models import FeedEntry, NoticePage
from tests import factories

pytestmark = pytest.mark.django_db
QUEUE = "/admin/actualites/a-trier/"


@pytest.fixture
def queued(site_tree, feed_server, fast_fetch, make_source):
    source = make_source("/feeds/certfr.xml", server=feed_server, acronym="CERT-FR")
    feed_server.aliases["certfr.xml"] = "certfr-alertes.rss.xml"
    fetch_sources([source])
    return source


def entry(guid):
    return FeedEntry.objects.get(guid=guid)


def test_editor_sees_the_queue_staff_and_anonymous_do_not(client_for, editor, staff_user, queued):
    response = client_for(editor).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Multiples vulnérabilités dans un hyperviseur" in html
    assert "À trier (3)" in html
    assert client_for(staff_user).get(QUEUE).status_code in (302, 403)
    assert client_for(None).get(QUEUE).status_code == 302
    alert = entry("CERTFR-2026-ALE-014")
    refused = client_for(staff_user).post(f"{QUEUE}{alert.pk}/accepter/")
    assert refused.status_code in (302, 403)
    assert not NoticePage.objects.exists()


def test_a_domain_officer_cannot_triage(client_for, queued):
    domain = factories.DomainFactory(slug="rh")
    officer = factories.make_officer(domain)
    alert = entry("CERTFR-2026-ALE-014")
    assert client_for(officer).post(f"{QUEUE}{alert.pk}/accepter/").status_code in (302, 403)
    assert entry("CERTFR-2026-ALE-014").status == "pending"


def test_accept_creates_a_prefilled_draft_never_published(client_for, editor, queued):
    alert = entry("CERTFR-2026-ALE-014")
    response = client_for(editor).post(f"{QUEUE}{alert.pk}/accepter/")
    page = NoticePage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{page.pk}/edit/"
    assert not page.live and page.has_unpublished_changes
    assert page.title == "Multiples vulnérabilités dans un hyperviseur (CERTFR-2026-ALE-014)"
    assert page.reference == "CERTFR-2026-ALE-014"
    assert page.source_references == "CERTFR-2026-ALE-014"  # flags the pages citing it
    assert page.category == "alerte"
    assert page.original_url == "https://www.cert.ssi.gouv.fr/alerte/CERTFR-2026-ALE-014/"
    assert page.original_published_at.isoformat() == "2026-11-26"
    assert page.source == queued
    assert page.summary.startswith("Une vulnérabilité activement exploitée")
    assert "<" not in page.summary
    alert.refresh_from_db()
    assert alert.status == "accepted" and alert.notice_id == page.pk
    assert alert.decided_by == editor
    # The draft is not on the site.
    assert client_for(None).get("/actualites/").context["notices"].paginator.count == 0
    # Accepting twice makes no second notice.
    client_for(editor).post(f"{QUEUE}{alert.pk}/accepter/")
    assert NoticePage.objects.count() == 1
    # The editor can open the draft.
    assert client_for(editor).get(f"/admin/pages/{page.pk}/edit/").status_code == 200


def test_dismiss_needs_a_reason_and_the_entry_does_not_come_back(
    client_for, editor, queued, feed_server
):
    alert = entry("CERTFR-2026-ALE-013")
    client = client_for(editor)
    missing = client.post(f"{QUEUE}{alert.pk}/ecarter/", {"reason": "  "})
    assert missing.status_code == 200  # the form again, with the message
    assert "Indiquez pourquoi cette entrée est écartée." in missing.content.decode()
    assert entry("CERTFR-2026-ALE-013").status == "pending"

    response = client.post(f"{QUEUE}{alert.pk}/ecarter/", {"reason": "Logiciel non utilisé"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "dismissed" and alert.dismiss_reason == "Logiciel non utilisé"

    feed_server.aliases["certfr.xml"] = "certfr-alertes-updated.rss.xml"
    fetch_sources([queued])
    alert.refresh_from_db()
    assert alert.status == "dismissed"
    pending = client.get(QUEUE).content.decode()
    assert f"reason-{alert.pk}" not in pending  # no longer offered for a decision
    assert "Vulnérabilité dans des pare-feux" in pending  # the new one
    assert "Logiciel non utilisé" in client.get(f"{QUEUE}?vue=ecartees").content.decode()

    # A dismissal made by mistake can be undone.
    client.post(f"{QUEUE}{alert.pk}/remettre/")
    assert entry("CERTFR-2026-ALE-013").status == "pending"


def test_a_change_at_the_source_flags_the_notice_made_from_the_entry(
    client_for, editor, queued, feed_server
):
    alert = entry("CERTFR-2026-ALE-014")
    client = client_for(editor)
    client.post(f"{QUEUE}{alert.pk}/accepter/")
    page = NoticePage.objects.get()
    assert (
        "modifiée à la source" not in client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    )

    feed_server.aliases["certfr.xml"] = "certfr-alertes-updated.rss.xml"
    fetch_sources([queued])

    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Cette actualité a été modifiée à la source" in edit
    assert "correctifs disponibles" in edit
    updates = client.get(f"{QUEUE}?vue=mises-a-jour").content.decode()
    assert "mis à jour à la source" in updates and "correctifs disponibles" in updates

    client.post(f"{QUEUE}{alert.pk}/prise-en-compte/")
    assert not entry("CERTFR-2026-ALE-014").changed_at_source
    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Cette actualité a été modifiée à la source" not in edit


def test_source_listing_shows_the_fetch_status(client_for, editor, queued):
    html = client_for(editor).get("/admin/snippets/notices/source/").content.decode()
    assert "CERT-FR" in html and "à jour" in html


def test_publishing_requires_an_editor_role(client_for, queued):
    user = factories.make_user(roles.STAFF)
    assert client_for(user).get("/admin/snippets/notices/source/").status_code in (302, 403)


def test_queue_query_count_does_not_grow(client_for, editor, queued):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(editor)

    def add(n, start):
        now = timezone.now()
        FeedEntry.objects.bulk_create(
            FeedEntry(
                source=queued,
                guid=f"g{i}",
                link=f"https://example.org/{i}",
                title=f"Entrée {i}",
                content_hash="x",
                first_seen_at=now,
                last_seen_at=now,
            )
            for i in range(start, start + n)
        )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(QUEUE).status_code == 200
        return len(ctx.captured_queries)

    add(7, 0)  # 10 with the three of the feed
    client.get(QUEUE)
    ten = count()
    add(190, 7)
    assert count() == ten


def test_editor_adds_a_source_with_feeds_in_the_admin(client_for, editor, site_tree):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    from notices.models import Source

    data = nested_form_data(
        {
            "name": "Agence de test",
            "acronym": "AGT",
            "slug": "",
            "website": "https://agence.example.fr",
            "description": "",
            "is_active": "on",
            "feeds": inline_formset(
                [{"url": "https://agence.example.fr/rss.xml"}, {"url": "pas une adresse"}]
            ),
        }
    )
    client = client_for(editor)
    refused = client.post("/admin/snippets/notices/source/add/", data)
    assert refused.status_code == 200  # the form comes back with what was typed
    assert "agence.example.fr/rss.xml" in refused.content.decode()
    assert not Source.objects.filter(acronym="AGT").exists()

    data["feeds-1-url"] = "https://agence.example.fr/atom.xml"
    assert client.post("/admin/snippets/notices/source/add/", data).status_code == 302
    source = Source.objects.get(acronym="AGT")
    assert source.slug == "agt"
    assert sorted(source.feeds.values_list("url", flat=True)) == [
        "https://agence.example.fr/atom.xml",
        "https://agence.example.fr/rss.xml",
    ]
    assert client.get(f"/admin/snippets/notices/source/edit/{source.pk}/").status_code == 200


def test_editor_fetches_one_source_now_from_the_queue(
    client_for, editor, staff_user, site_tree, feed_server, fast_fetch, make_source
):
    source = make_source("/feeds/cnil.atom.xml", "/status/500", server=feed_server, acronym="CNIL")
    assert client_for(staff_user).post(f"{QUEUE}sources/{source.pk}/relever/").status_code in (
        302,
        403,
    )
    assert not FeedEntry.objects.exists()
    client = client_for(editor)
    response = client.post(f"{QUEUE}sources/{source.pk}/relever/", follow=True)
    html = response.content.decode()
    assert "2 nouvelle(s) entrée(s)" in html
    assert "HTTP 500" in html
    assert "État des sources" in html and "en erreur" in html
    assert FeedEntry.objects.filter(source=source).count() == 2
