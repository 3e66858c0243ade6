"""The urgent banner in a real Chromium: shown on every page, dismissed per notice on this device."""

import datetime

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def urgent(site_tree):
    return factories.make_notice(
        site_tree.notices,
        title="Faille critique des passerelles VPN",
        priority="urgent",
        category="alerte",
        impact="<p>Appliquer le correctif.</p>",
        original_published_at=datetime.date.today(),
    )


def test_banner_shows_on_every_page_and_dismissal_is_remembered(page, live_server, urgent):
    page.goto(live_server.url + "/")
    banner = page.locator(".urgent-banner")
    assert banner.is_visible()
    link = banner.get_by_role("link", name="Faille critique des passerelles VPN")
    assert link.get_attribute("href") == urgent.url
    page.goto(live_server.url + "/guides/")
    assert page.locator(".urgent-banner").is_visible()

    page.get_by_role(
        "button", name="Masquer l'alerte « Faille critique des passerelles VPN »"
    ).click()
    assert not page.locator(".urgent-banner").is_visible()
    assert page.evaluate("document.cookie") == ""  # remembered without any cookie
    assert page.evaluate(f"localStorage.getItem('passerelle.alerte-masquee.{urgent.pk}')") == "1"

    page.goto(live_server.url + "/actualites/")
    assert not page.locator(".urgent-banner").is_visible()
    assert page.locator("main h1").is_visible()


def test_a_new_urgent_notice_shows_again_after_a_dismissal(page, live_server, urgent, site_tree):
    page.goto(live_server.url + "/")
    page.get_by_role(
        "button", name="Masquer l'alerte « Faille critique des passerelles VPN »"
    ).click()
    factories.make_notice(
        site_tree.notices,
        title="Rançongiciel visant les ENT",
        priority="urgent",
        impact="<p>Vérifier les sauvegardes.</p>",
        original_published_at=datetime.date.today(),
    )
    page.goto(live_server.url + "/")
    banner = page.locator(".urgent-banner")
    assert banner.is_visible()
    assert banner.get_by_role("link", name="Rançongiciel visant les ENT").is_visible()
    assert not banner.get_by_role("link", name="Faille critique des passerelles VPN").is_visible()


def test_without_javascript_the_banner_stays_and_the_page_works(chromium, live_server, urgent):
    context = chromium.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/actualites/")
        assert page.locator(".urgent-banner").is_visible()
        assert not page.get_by_role("button", name="Masquer").first.is_visible()
        page.get_by_role("link", name="Faille critique des passerelles VPN").first.click()
        assert page.locator("main h1").inner_text() == "Faille critique des passerelles VPN"
    finally:
        context.close()


def test_no_banner_once_the_notice_has_expired(page, live_server, site_tree):
    factories.make_notice(
        site_tree.notices,
        title="Alerte passée",
        priority="urgent",
        impact="<p>x</p>",
        original_published_at=datetime.date.today() - datetime.timedelta(days=30),
        expires_at=datetime.date.today() - datetime.timedelta(days=1),
    )
    page.goto(live_server.url + "/")
    assert page.locator(".urgent-banner").count() == 0
