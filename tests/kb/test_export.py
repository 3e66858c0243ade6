"""'Télécharger le guide (PDF)' and the print stylesheet."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from kb.export import guide_context
from tests import factories


@pytest.fixture
def guide(site_tree):
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail", intro="Pour tous.")
    factories.make_practice(
        guide,
        title="Organiser le travail",
        body=[{"type": "rich_text", "value": "<h2>Cadre</h2><p>Un cadre écrit.</p>"}],
    )
    factories.make_practice(
        guide,
        title="Sécuriser les postes",
        body=[
            {
                "type": "regulatory_source",
                "value": {
                    "title": "Nomadisme numérique",
                    "issuer": "anssi",
                    "url": "https://cyber.gouv.fr/nomadisme",
                    "date": "2026-01-15",
                },
            }
        ],
    )
    return guide


@pytest.mark.django_db
def test_guide_page_offers_the_pdf_and_serves_a_real_pdf(client, guide):
    assert "Télécharger le guide (PDF)" in client.get(guide.url).content.decode()
    response = client.get(guide.url + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="guide-du-teletravail.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5000
    # Cached: the same bytes until the guide changes.
    assert client.get(guide.url + "pdf/").content == response.content


@pytest.mark.django_db
def test_pdf_holds_the_chapters_toc_update_date_and_source_links(guide):
    request = RequestFactory().get(guide.url + "pdf/")
    html = render_to_string("kb/guide_pdf.html", guide_context(guide, request))
    assert html.index('href="#chapitre-1">Organiser le travail') < html.index(
        'href="#chapitre-2">Sécuriser les postes'
    )
    assert 'id="chapitre-1"' in html and '<h2 id="cadre">Cadre</h2>' in html
    assert "Mis à jour le" in html
    assert "https://cyber.gouv.fr/nomadisme" in html and "Sources réglementaires" in html


@pytest.mark.django_db
def test_pdf_of_a_practice_is_not_a_route(client, guide):
    practice = guide.get_children().first()
    assert client.get(practice.url + "pdf/").status_code == 404


@pytest.mark.django_db
def test_a_pdf_being_rendered_elsewhere_gets_a_clear_wait_message(client, guide):
    import hashlib

    from django.core.cache import cache

    cache.clear()
    version = list(guide.chapters().values_list("pk", "last_published_at"))
    digest = hashlib.sha256(f"{guide.pk}:{guide.last_published_at}|{version}".encode()).hexdigest()
    cache.add(f"kb-guide-pdf:{digest}:lock", 1, 60)
    response = client.get(guide.url + "pdf/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "en cours de préparation" in response.content.decode()
    cache.clear()
    assert client.get(guide.url + "pdf/").status_code == 200
