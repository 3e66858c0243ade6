"""In a real Chromium: the search facets sit beside the results on a wide screen and above them
on a narrow one, without sideways scrolling."""

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def boxes(page):
    facets = page.locator(".search-facets").bounding_box()
    results = page.locator(".search-main").bounding_box()
    return facets, results


def test_facets_beside_results_on_wide_screens_above_on_narrow(page, live_server, site_tree):
    domain = factories.DomainFactory(name="Télétravail", slug="teletravail")
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail", domain=domain)
    factories.make_practice(guide, title="Le télétravail des agents", domain=domain)
    page.goto(live_server.url + "/recherche/?q=t%C3%A9l%C3%A9travail")
    assert page.locator(".search-results li").count() >= 2

    page.set_viewport_size({"width": 1280, "height": 900})
    facets, results = boxes(page)
    assert facets["x"] + facets["width"] <= results["x"]  # side by side
    assert abs(facets["y"] - results["y"]) < 40

    page.set_viewport_size({"width": 320, "height": 900})
    facets, results = boxes(page)
    assert facets["y"] + facets["height"] <= results["y"]  # facets first, above
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
