"""The print stylesheet, as Chromium applies it: content kept, navigation and forms hidden."""

import pytest

from kb.structure import ensure_site_structure
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_printing_a_practice_keeps_the_content_only(page, live_server):
    tree = ensure_site_structure()
    practice = factories.make_practice(
        tree.guides,
        title="Chiffrer les postes",
        body=[{"type": "rich_text", "value": "<h2>Pourquoi</h2><p>Un poste volé.</p>"}],
    )
    page.goto(live_server.url + practice.url)
    assert page.locator("#avis").is_visible()
    assert page.locator("nav.toc").is_visible()
    page.emulate_media(media="print")
    assert page.get_by_role("heading", level=1, name="Chiffrer les postes").is_visible()
    assert page.get_by_text("Un poste volé.").is_visible()
    for hidden in ("#avis", "nav.toc", ".site-header", ".site-footer", ".breadcrumbs"):
        assert not page.locator(hidden).first.is_visible(), hidden
