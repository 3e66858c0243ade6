"""Readers' history of changes, the comparison of two versions, and the Atom feeds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import PageUpdate
from tests import factories


def publish_change(page, note="", minor=False, **fields):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.update_note = note
    page.minor_change = minor
    page.save_revision().publish()
    return page


def body(html):
    return [{"type": "rich_text", "value": html}]


@pytest.fixture
def practice(site_tree):
    domain = factories.DomainFactory(name="Sécurité SI", slug="securite-si")
    return factories.make_practice(
        site_tree.guides,
        title="Réagir à une alerte",
        domain=domain,
        body=body("<h2>Premières heures</h2><p>Le RSSI qualifie l'alerte.</p>"),
        update_note="Première publication",
    )


@pytest.mark.django_db
def test_each_publication_is_listed_with_its_note_and_minor_changes_are_hidden(client, practice):
    publish_change(practice, note="Ajout du rôle de la DSI", body=body("<p>La DSI corrige.</p>"))
    publish_change(practice, note="Coquille", minor=True, body=body("<p>La DSI corrige !</p>"))
    html = client.get(practice.url + "historique/").content.decode()
    assert "Historique des mises à jour" in html
    assert "Première publication" in html
    assert "Ajout du rôle de la DSI" in html
    assert "Coquille" not in html
    assert html.index("Ajout du rôle de la DSI") < html.index("Première publication")
    assert PageUpdate.objects.filter(page=practice).count() == 3


@pytest.mark.django_db
def test_the_note_belongs_to_one_version_only(practice):
    publish_change(practice, note="Ajout d'un encadré")
    page = practice.specific_class.objects.get(pk=practice.pk)
    assert page.update_note == ""
    assert page.latest_revision.as_object().update_note == ""
    page.save_revision().publish()
    notes = list(PageUpdate.objects.filter(page=practice).values_list("note", flat=True))
    assert notes == ["", "Ajout d'un encadré", "Première publication"]


@pytest.mark.django_db
def test_compare_marks_additions_and_deletions_with_text_not_colour_only(client, practice):
    publish_change(
        practice,
        note="Nouvelle procédure",
        body=body("<h2>Premières heures</h2><p>La DSI recense les systèmes exposés.</p>"),
    )
    old, new = PageUpdate.objects.filter(page=practice).order_by("published_at", "pk")
    response = client.get(practice.url + f"historique/comparer/?de={old.pk}&a={new.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<del><span class="diff__label">Supprimé :</span> Le RSSI qualifie l&#x27;alerte.</del>'
        in html
    )
    assert (
        '<ins><span class="diff__label">Ajouté :</span> La DSI recense les systèmes exposés.</ins>'
        in html
    )
    # Unchanged text is shown plain.
    assert '<p class="diff__line">Premières heures</p>' in html


@pytest.mark.django_db
def test_compare_with_bad_or_missing_versions_never_fails(client, practice):
    assert client.get(practice.url + "historique/comparer/").status_code == 404  # one version
    publish_change(practice, note="Deux", body=body("<p>Autre texte.</p>"))
    response = client.get(practice.url + "historique/comparer/?de=abc&a=999999")
    assert response.status_code == 200
    assert "Ces versions n&#x27;existent pas" in response.content.decode()


@pytest.mark.django_db
def test_scheduled_publication_and_expiry_are_recorded(site_tree):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    page = factories.make_practice(site_tree.guides, title="Programmée")
    page.unpublish()
    page = page.specific_class.objects.get(pk=page.pk)
    page.go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    page.update_note = "Publication programmée"
    page.save_revision(approved_go_live_at=page.go_live_at)
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert PageUpdate.objects.filter(page=page, note="Publication programmée").exists()

    page.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    page.save()
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live and page.expired


@pytest.mark.django_db
def test_site_wide_and_per_domain_atom_feeds(client, site_tree, practice):
    other_domain = factories.DomainFactory(name="Finances", slug="finances")
    factories.make_practice(
        site_tree.guides, title="Factures", domain=other_domain, update_note="Nouveau circuit"
    )
    publish_change(practice, note="Correction mineure", minor=True)
    feed = client.get("/guides/mises-a-jour.atom")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    text = feed.content.decode()
    assert "Première publication" in text and "Nouveau circuit" in text
    assert "Correction mineure" not in text
    per_domain = client.get("/guides/domaine/finances/mises-a-jour.atom").content.decode()
    assert "Nouveau circuit" in per_domain and "Première publication" not in per_domain
    assert client.get("/guides/domaine/inconnu/mises-a-jour.atom").status_code == 404


@pytest.mark.django_db
def test_history_and_feed_queries_do_not_grow_with_versions(client, site_tree):
    def queries_for(count):
        page = factories.make_practice(site_tree.guides, title=f"Pratique {count}")
        for i in range(count):
            publish_change(page, note=f"Version {i}")
        with CaptureQueriesContext(connection) as history:
            assert client.get(page.url + "historique/").status_code == 200
        with CaptureQueriesContext(connection) as feed:
            assert client.get("/guides/mises-a-jour.atom").status_code == 200
        return len(history), len(feed)

    queries_for(1)  # warm caches (site root paths)
    # 60 versions: more than the feed's 50 (kb.feeds.FEED_SIZE), so its limit is crossed too.
    assert queries_for(10) == queries_for(60)


@pytest.mark.django_db
def test_publishing_an_older_revision_keeps_the_newer_drafts_note(site_tree):
    page = factories.make_practice(site_tree.guides, title="Programmée")
    page = page.specific_class.objects.get(pk=page.pk)
    page.update_note = "Version programmée"
    scheduled = page.save_revision()
    page.update_note = "Brouillon suivant"
    page.save_revision()
    scheduled.publish()
    page = page.specific_class.objects.get(pk=page.pk)
    assert PageUpdate.objects.filter(page=page, note="Version programmée").exists()
    assert page.get_latest_revision_as_object().update_note == "Brouillon suivant"


@pytest.mark.django_db
def test_updates_of_a_private_page_stay_out_of_the_feeds(client, site_tree):
    from wagtail.models import PageViewRestriction

    private = factories.make_practice(site_tree.guides, title="Réservée", update_note="Secret")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    factories.make_practice(site_tree.guides, title="Publique", update_note="Visible")
    text = client.get("/guides/mises-a-jour.atom").content.decode()
    assert "Visible" in text and "Secret" not in text
    assert client.get(private.url + "historique/").status_code == 302  # sign-in first
