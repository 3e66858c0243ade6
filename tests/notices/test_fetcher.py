"""fetch_notices against a real HTTP server on 127.0.0.1: good feeds, every bad input, updates."""

import io

import pytest
from django.core.management import call_command

from notices.fetcher import fetch_feed, fetch_sources
from notices.models import FeedEntry, Source
from tests.notices.conftest import FEEDS_DIR

pytestmark = pytest.mark.django_db


def fetch_one(source):
    source.refresh_from_db()
    [result] = fetch_sources([source])
    source.refresh_from_db()
    return result


def test_rss_and_atom_feeds_fill_the_queue_and_the_source_status(
    feed_server, fast_fetch, make_source
):
    source = make_source(
        "/feeds/certfr-alertes.rss.xml", "/feeds/cnil.atom.xml", server=feed_server
    )
    results = fetch_sources([source])
    assert [r.ok for r in results] == [True, True]
    source.refresh_from_db()
    assert source.entry_count == 5
    assert source.last_fetch_at and source.last_success_at and not source.last_error
    entries = FeedEntry.objects.filter(source=source)
    assert set(entries.values_list("status", flat=True)) == {"pending"}
    alert = entries.get(guid="CERTFR-2026-ALE-014")
    assert alert.title == "Multiples vulnérabilités dans un hyperviseur (CERTFR-2026-ALE-014)"
    assert alert.link == "https://www.cert.ssi.gouv.fr/alerte/CERTFR-2026-ALE-014/"
    assert "<strong>activement exploitée</strong>" in alert.summary
    assert alert.published_at.isoformat() == "2026-11-26T09:15:00+00:00"
    cnil = entries.get(guid="tag:cnil.fr,2026:actualite-8817")
    assert cnil.title.startswith("Durées de conservation")


def test_a_second_fetch_adds_nothing_and_uses_conditional_get(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/certfr-alertes.rss.xml", server=feed_server)
    fetch_one(source)
    result = fetch_one(source)
    assert result.ok and result.not_modified
    assert FeedEntry.objects.filter(source=source).count() == 3
    _path, headers = feed_server.requests[-1]
    assert headers.get("If-None-Match", "").startswith('"')
    assert headers.get("If-Modified-Since") == "Thu, 26 Nov 2026 10:00:00 GMT"
    assert source.last_success_at is not None


def test_an_entry_changed_at_the_source_is_flagged_with_what_changed(
    feed_server, fast_fetch, make_source
):
    source = make_source("/feeds/certfr.xml", server=feed_server)
    feed_server.aliases["certfr.xml"] = "certfr-alertes.rss.xml"
    fetch_one(source)
    feed_server.aliases["certfr.xml"] = "certfr-alertes-updated.rss.xml"
    result = fetch_one(source)
    assert (result.ingest.created, result.ingest.updated, result.ingest.unchanged) == (1, 1, 2)
    changed = FeedEntry.objects.get(guid="CERTFR-2026-ALE-014")
    assert changed.changed_at_source
    assert "correctifs disponibles" in changed.title
    assert "Titre" in changed.changes and "Le résumé a changé." in changed.changes
    unchanged = FeedEntry.objects.get(guid="CERTFR-2026-ALE-013")
    assert not unchanged.changed_at_source
    assert FeedEntry.objects.filter(source=source).count() == 4


def test_entries_are_deduplicated_by_id_then_by_link(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/mesr.rss.xml", server=feed_server, acronym="MESR")
    # Known by its link under another id (say, the source changed its id scheme).
    FeedEntry.objects.create(
        source=source,
        guid="ancien-identifiant",
        link="https://www.enseignementsup-recherche.gouv.fr/fr/parcoursup-2027",
        title="Parcoursup 2027 : ouverture de la plateforme d'information",
        summary="La plateforme d'information Parcoursup ouvre le 20 décembre.",
        content_hash="x",
        first_seen_at="2026-11-20T10:00:00Z",
        last_seen_at="2026-11-20T10:00:00Z",
        status=FeedEntry.Status.DISMISSED,
        dismiss_reason="Déjà relayé",
    )
    fetch_one(source)
    assert FeedEntry.objects.filter(source=source).count() == 2
    # Dismissed entries do not come back.
    assert FeedEntry.objects.get(guid="ancien-identifiant").status == "dismissed"


def test_duplicate_ids_within_one_feed_keep_the_first(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/duplicate-ids.rss.xml", server=feed_server)
    result = fetch_one(source)
    assert result.ok
    titles = set(FeedEntry.objects.filter(source=source).values_list("title", flat=True))
    assert titles == {"Première version", "Entrée distincte"}
    assert "identifiant en double" in source.feeds.get().last_warnings


def test_missing_dates_and_ids(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/missing-dates-ids.rss.xml", server=feed_server)
    result = fetch_one(source)
    assert result.ok
    entries = {e.title: e for e in FeedEntry.objects.filter(source=source)}
    # No id: known by its link; no date: the date it was received.
    assert entries["Entrée sans identifiant ni date"].guid == "https://example.org/sans-id"
    assert entries["Entrée sans identifiant ni date"].published_at is not None
    # Neither id nor link: it cannot be recognised next time, so it is left out, with a warning.
    assert "Entrée sans identifiant ni lien" not in entries
    warnings = source.feeds.get().last_warnings
    assert "sans identifiant ni lien" in warnings and "sans date" in warnings


def test_html_and_script_in_titles_and_summaries_are_made_inert(
    feed_server, fast_fetch, make_source
):
    source = make_source("/feeds/html-in-titles.rss.xml", server=feed_server)
    fetch_one(source)
    entry = FeedEntry.objects.get(source=source)
    assert entry.title == "Avis important & urgent"
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "alert("):
        assert bad not in entry.summary
    assert "<strong>gras</strong>" in entry.summary


def test_relative_links_are_made_absolute_and_other_schemes_dropped(
    feed_server, fast_fetch, make_source
):
    source = make_source("/feeds/relative-links.atom.xml", server=feed_server)
    fetch_one(source)
    first = FeedEntry.objects.get(guid="urn:test:relative:1")
    assert first.link == f"{feed_server.base_url}/avis/relatif-1"
    assert f'href="{feed_server.base_url}/documents/annexe.pdf"' in first.summary
    second = FeedEntry.objects.get(guid="urn:test:relative:2")
    assert second.link == ""
    assert "lien refusé" in source.feeds.get().last_warnings


BAD_FEEDS = [
    ("/feeds/malformed.rss.xml", "XML mal formé"),
    ("/feeds/page.html", "page HTML au lieu d'un flux"),
    ("/feeds/empty.xml", "Réponse vide"),
    ("/feeds/billion-laughs.rss.xml", "entités XML"),
    ("/feeds/external-entity.rss.xml", "entités XML"),
    ("/large", "trop volumineux"),
    ("/status/404", "HTTP 404"),
    ("/status/500", "HTTP 500"),
    ("/status/503", "HTTP 503"),
    ("/slow", "Délai dépassé"),
    ("/loop", "Trop de redirections"),
    ("/redirect/9", "Trop de redirections"),
]


@pytest.mark.parametrize(("path", "message"), BAD_FEEDS)
def test_each_bad_input_is_recorded_on_the_source_and_the_run_continues(
    feed_server, fast_fetch, make_source, path, message
):
    bad = make_source(path, server=feed_server, acronym="MAUVAISE")
    good = make_source("/feeds/cnil.atom.xml", server=feed_server, acronym="CNIL")
    results = fetch_sources(Source.objects.filter(pk__in=[bad.pk, good.pk]).order_by("-acronym"))
    assert [r.ok for r in results] == [False, True]
    bad.refresh_from_db()
    good.refresh_from_db()
    assert message.lower() in bad.last_error.lower(), bad.last_error
    assert bad.last_error_at and bad.last_success_at is None
    assert bad.feeds.get().last_error == results[0].error
    # Nothing half-created.
    assert not FeedEntry.objects.filter(source=bad).exists()
    assert bad.entry_count == 0
    assert FeedEntry.objects.filter(source=good).count() == 2


def test_a_short_redirect_chain_is_followed(feed_server, fast_fetch, make_source):
    source = make_source("/redirect/3", server=feed_server, acronym="CNIL")
    assert fetch_one(source).ok
    assert FeedEntry.objects.filter(source=source).count() == 2


def test_the_body_is_not_read_past_the_limit(feed_server, fast_fetch, make_source):
    source = make_source("/large", server=feed_server)
    result = fetch_one(source)
    assert not result.ok
    # The server was cut off before it could send its 6 MB.
    assert feed_server.large_aborted or "trop volumineux" in result.error


def test_entity_expansion_is_never_expanded_and_no_file_is_read(
    feed_server, fast_fetch, make_source
):
    source = make_source("/feeds/external-entity.rss.xml", server=feed_server)
    fetch_one(source)
    assert not FeedEntry.objects.exists()
    assert "root:" not in source.last_error


def test_an_external_dtd_is_never_fetched(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/external-dtd.rss.xml", server=feed_server)
    fetch_one(source)
    assert not [path for path, _headers in feed_server.requests if path.startswith("/dtd/")]


def test_an_error_then_a_success_shows_both_on_the_source(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/flux.xml", server=feed_server)
    feed_server.aliases["flux.xml"] = "malformed.rss.xml"
    fetch_one(source)
    assert source.status_label == "en erreur"
    feed_server.aliases["flux.xml"] = "cnil.atom.xml"
    fetch_one(source)
    assert source.status_label == "à jour"
    assert "XML mal formé" in source.last_error  # the last error stays visible, with its date
    assert source.last_success_at > source.last_error_at


def test_fetch_feed_survives_a_refused_connection(fast_fetch, make_source):
    source = make_source("http://127.0.0.1:9/ferme.xml")
    result = fetch_feed(source.feeds.get())
    assert not result.ok and "Connexion impossible" in result.error


def test_command_fetches_active_sources_or_the_ones_named(feed_server, fast_fetch, make_source):
    active = make_source("/feeds/cnil.atom.xml", server=feed_server, acronym="CNIL")
    inactive = make_source(
        "/feeds/mesr.rss.xml", server=feed_server, acronym="MESR", is_active=False
    )
    out = io.StringIO()
    call_command("fetch_notices", stdout=out, stderr=io.StringIO())
    assert FeedEntry.objects.filter(source=active).count() == 2
    assert not FeedEntry.objects.filter(source=inactive).exists()
    assert "CNIL" in out.getvalue()
    # Named explicitly, an inactive source is fetched too.
    call_command("fetch_notices", "--source", "mesr", stdout=io.StringIO(), stderr=io.StringIO())
    assert FeedEntry.objects.filter(source=inactive).count() == 2


def test_command_reports_errors_and_an_unknown_source(feed_server, fast_fetch, make_source):
    from django.core.management.base import CommandError

    make_source("/status/500", server=feed_server, acronym="PANNE")
    err = io.StringIO()
    call_command("fetch_notices", stdout=io.StringIO(), stderr=err)
    assert "HTTP 500" in err.getvalue()
    with pytest.raises(CommandError, match="inconnue"):
        call_command("fetch_notices", "--source", "nulle-part")


def test_a_feed_another_process_is_fetching_is_left_alone(feed_server, fast_fetch, make_source):
    """Two fetch_notices at once (cron overlapping the "Relever maintenant" button, two
    servers): the second leaves a feed alone while the first holds its lease."""
    import datetime

    from django.utils import timezone

    source = make_source("/feeds/cnil.atom.xml", server=feed_server, acronym="CNIL")
    feed = source.feeds.get()
    feed.__class__.objects.filter(pk=feed.pk).update(
        fetching_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    out = io.StringIO()
    call_command("fetch_notices", stdout=out, stderr=io.StringIO())
    assert "déjà en cours dans un autre processus" in out.getvalue()
    assert feed_server.requests == []  # nothing downloaded
    assert not FeedEntry.objects.filter(source=source).exists()

    # A lease past its date is the one of a process that died: the next run takes over.
    feed.__class__.objects.filter(pk=feed.pk).update(
        fetching_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    result = fetch_one(source)
    assert result.ok and not result.busy
    assert FeedEntry.objects.filter(source=source).count() == 2
    feed.refresh_from_db()
    assert feed.fetching_until is None  # released once done


def test_the_lease_is_released_when_the_feed_fails(feed_server, fast_fetch, make_source):
    source = make_source("/status/500", server=feed_server)
    result = fetch_one(source)
    assert not result.ok and not result.busy
    assert source.feeds.get().fetching_until is None
    assert not fetch_one(source).busy  # the next run fetches it again


# --- Versions: an older copy never replaces a newer one ----------------------------------------


def _fetch_versions(feed_server, make_source, path, versions, **kwargs):
    source = make_source(f"/feeds/{path}", server=feed_server, **kwargs)
    results = []
    for name in versions:
        feed_server.aliases[path] = name
        results.append(fetch_one(source))
    return source, results


@pytest.mark.parametrize(
    ("path", "v1", "v2", "guid"),
    [
        ("avis.rss.xml", "advisory-v1.rss.xml", "advisory-v2.rss.xml", "CERTFR-2026-AVI-0901"),
        ("avis.atom.xml", "advisory-v1.atom.xml", "advisory-v2.atom.xml", "urn:test:dnum:avis-1"),
    ],
)
def test_a_stale_copy_served_again_never_replaces_the_newer_version(
    feed_server, fast_fetch, make_source, path, v1, v2, guid
):
    source, results = _fetch_versions(feed_server, make_source, path, [v1, v2, v1, v2, v1])
    entry = FeedEntry.objects.get(source=source, guid=guid)
    # The correction (later pubDate / Atom updated) was taken, then kept through stale copies.
    assert "correctif publié" in entry.title
    assert "Version corrigée" in entry.summary
    assert entry.source_updated_at.isoformat() == "2026-11-24T15:30:00+00:00"
    assert [r.ingest.updated for r in results] == [0, 1, 0, 0, 0]
    assert [r.ingest.stale for r in results] == [0, 0, 1, 0, 1]
    source.refresh_from_db()
    assert "plus ancienne que la version enregistrée" in source.feeds.get().last_warnings
    assert "plus ancienne que la version enregistrée" in source.last_warnings


def test_same_date_old_text_does_not_flip_back(feed_server, fast_fetch, make_source):
    """The source corrected the text without changing the date: the old copy, served again by a
    cache, is recognised as a replaced version and does not come back."""
    source, results = _fetch_versions(
        feed_server,
        make_source,
        "certfr.xml",
        ["certfr-alertes.rss.xml", "certfr-alertes-updated.rss.xml", "certfr-alertes.rss.xml"],
    )
    entry = FeedEntry.objects.get(source=source, guid="CERTFR-2026-ALE-014")
    assert "correctifs disponibles" in entry.title
    assert results[2].ingest.stale == 1 and results[2].ingest.updated == 0


def test_rss_dc_date_is_the_version_date(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/dc-date.rss.xml", server=feed_server, acronym="FU")
    result = fetch_one(source)
    assert result.ok, result.error
    entry = FeedEntry.objects.get(guid__endswith="fu-dc-1")
    assert entry.source_updated_at.isoformat() == "2026-11-20T08:00:00+00:00"


def test_the_source_update_date_shows_in_the_queue_and_on_the_notice(
    feed_server, fast_fetch, make_source, client_for, editor, site_tree
):
    from notices import triage

    source, _results = _fetch_versions(
        feed_server, make_source, "avis.rss.xml", ["advisory-v1.rss.xml", "advisory-v2.rss.xml"]
    )
    entry = FeedEntry.objects.get(source=source)
    client = client_for(editor)
    queue = client.get("/admin/actualites/a-trier/").content.decode()
    assert "mis à jour à la source le 24 novembre 2026 16:30" in queue
    page = triage.accept(entry.pk, editor)
    page.save_revision(user=editor).publish()
    html = client_for(None).get(page.url).content.decode()
    assert "Mis à jour à la source le" in html and "24 novembre 2026" in html


# --- Tolerance and encodings -------------------------------------------------------------------


def test_a_utf8_declared_feed_in_windows_1252_is_read_with_a_warning(
    feed_server, fast_fetch, make_source
):
    source = make_source("/feeds/bad-encoding.rss.xml", server=feed_server, acronym="MESR")
    assert fetch_one(source).ok
    assert (
        FeedEntry.objects.get(guid__endswith="enc-1").title == "Arrêté relatif aux établissements"
    )
    assert "Windows-1252" in source.last_warnings


def test_a_not_well_formed_feed_is_read_like_feedparser_does_with_a_warning(
    feed_server, fast_fetch, make_source
):
    source = make_source("/feeds/not-well-formed.rss.xml", server=feed_server, acronym="MESR")
    result = fetch_one(source)
    assert result.ok, result.error
    entry = FeedEntry.objects.get(guid__endswith="mesr-aap-rd-2027")
    assert entry.title == "Appel à projets R&D 2027 : établissements & laboratoires"
    assert "Dépôt des dossiers" in entry.summary and "Sélection en mars" in entry.summary
    assert "XML mal formé" in source.last_warnings
    # Visible in the sources status table.
    assert "XML mal formé" in source.warnings_label


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/feeds/entity-in-broken.rss.xml", "entités XML"),
        ("/feeds/not-a-feed-malformed.xml", "pas un flux RSS ou Atom"),
        ("/feeds/malformed.rss.xml", "aucune entrée lisible"),
    ],
)
def test_broken_feeds_that_are_dangerous_or_not_feeds_are_still_refused(
    feed_server, fast_fetch, make_source, path, message
):
    source = make_source(path, server=feed_server, acronym="MAUVAISE")
    result = fetch_one(source)
    assert not result.ok and message in result.error, result.error
    assert not FeedEntry.objects.filter(source=source).exists()
    assert "root:" not in source.last_error


@pytest.mark.parametrize(
    ("name", "header", "title", "warning"),
    [
        # A UTF-8 document behind a server that says ISO-8859-1: read as UTF-8, with a warning.
        (
            "cnil.atom.xml",
            "application/atom+xml; charset=iso-8859-1",
            "Cybersécurité : la CNIL publie un guide pour les établissements d'enseignement "
            "supérieur",
            "ISO-8859-1, mais le contenu est de l'UTF-8",
        ),
        # A Windows-1252 document (declared so) behind a server that says UTF-8.
        (
            "windows-1252.rss.xml",
            "application/rss+xml; charset=utf-8",
            "Arrêté “universités”",
            "Windows-1252",
        ),
    ],
)
def test_a_charset_header_contradicting_the_document_is_resolved_with_a_warning(
    feed_server, fast_fetch, make_source, name, header, title, warning
):
    feed_server.content_types[name] = header
    source = make_source(f"/feeds/{name}", server=feed_server, acronym="CNIL")
    assert fetch_one(source).ok
    titles = set(FeedEntry.objects.filter(source=source).values_list("title", flat=True))
    assert title in titles
    assert not any("Ã" in t for t in titles)
    assert warning in source.last_warnings
    assert warning in source.warnings_label or "avertissements" in source.warnings_label


def test_a_byte_order_mark_decides_over_the_header(feed_server, fast_fetch, make_source):
    text = (
        (FEEDS_DIR / "cnil.atom.xml").read_text().replace('encoding="utf-8"', 'encoding="utf-16"')
    )
    feed_server.bodies["bom.xml"] = (
        b"\xff\xfe" + text.encode("utf-16-le"),
        "application/atom+xml; charset=utf-8",
    )
    source = make_source("/feeds/bom.xml", server=feed_server, acronym="CNIL")
    result = fetch_one(source)
    assert result.ok, result.error
    assert FeedEntry.objects.filter(title__startswith="Cybersécurité : la CNIL").exists()
    assert "marque d'ordre des octets UTF-16" in source.last_warnings


def test_a_utf8_feed_announced_utf8_has_no_warning(feed_server, fast_fetch, make_source):
    source = make_source("/feeds/cnil.atom.xml", server=feed_server, acronym="CNIL")
    assert fetch_one(source).ok
    assert source.last_warnings == ""
    assert source.warnings_label == "–"


def test_a_bulletin_quoting_an_entity_declaration_in_its_text_is_read():
    from notices.fetcher import parse_feed

    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>CERT-FR</title><item>'
        b"<guid>https://x.fr/1</guid><title>XXE</title><description><![CDATA[<p>L'attaquant "
        b'd\xc3\xa9clare <!ENTITY x SYSTEM "file:///etc/passwd"></p>]]></description>'
        b"</item></channel></rss>"
    )
    [entry] = parse_feed(body, "https://x.fr/feed").entries
    assert "&lt;!ENTITY x SYSTEM" in entry.summary and "déclare" in entry.summary
