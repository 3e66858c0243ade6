"""In a real Chromium: sign up, find the verification email in the outbox, follow it, signed in."""

import os

import pytest

from tests import factories
from tests.accounts.helpers import link_in, messages_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"


@pytest.fixture(autouse=True)
def _screenshots_dir():
    os.makedirs(SCREENSHOTS, exist_ok=True)


def test_sign_up_verify_and_arrive_signed_in(page, live_server):
    from kb.structure import ensure_site_structure

    ensure_site_structure()
    factories.EstablishmentFactory(name="Université de Valmont", email_domains="univ-valmont.fr")
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_role("link", name="Créer un compte avec l'adresse de votre établissement").click()
    page.get_by_role("heading", level=1, name="Créer un compte").wait_for()
    page.get_by_label("Prénom").fill("Camille")
    page.locator("#id_last_name").fill("Martin")
    page.get_by_label("Adresse électronique professionnelle").fill("camille@gmail.example")
    page.locator("#id_password1").fill("Cabane-de-plage-2026!")
    page.get_by_label("Mot de passe (confirmation)").fill("Cabane-de-plage-2026!")
    page.get_by_role("button", name="Créer mon compte").click()
    # An unknown domain: the error is beside the field, what was typed is kept.
    assert page.get_by_text("n'appartient à aucun établissement connu").is_visible()
    assert page.get_by_label("Prénom").input_value() == "Camille"
    page.screenshot(path=f"{SCREENSHOTS}/signup-error-1280.png", full_page=True)
    page.get_by_label("Adresse électronique professionnelle").fill("camille@univ-valmont.fr")
    page.locator("#id_password1").fill("Cabane-de-plage-2026!")
    page.get_by_label("Mot de passe (confirmation)").fill("Cabane-de-plage-2026!")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()
    assert "/compte/confirm-email/" in page.url
    path = link_in(messages_to("camille@univ-valmont.fr")[0], "/compte/confirm-email/")
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_load_state()
    assert page.get_by_text("Camille Martin").first.is_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/compte/connexion/")
    page.goto(live_server.url + "/compte/sessions/")
    page.screenshot(path=f"{SCREENSHOTS}/sessions-320.png", full_page=True)


def test_sign_in_page_at_two_widths(page, live_server):
    from kb.structure import ensure_site_structure

    ensure_site_structure()
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/compte/connexion/")
        assert page.get_by_role("button", name="Se connecter").first.is_visible()
        page.screenshot(path=f"{SCREENSHOTS}/login-{width}.png", full_page=True)
