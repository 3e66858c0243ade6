"""The federation's full redirect dance in Chromium, against real pysaml2 IdPs on 127.0.0.1."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts import roles
from accounts.models import FederatedIdentity, Profile

pytestmark = [pytest.mark.browser]

User = get_user_model()


def start_sign_in(page, live_server, establishment="Valmont"):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_role("link", name=re.compile("Compte de mon établissement")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir votre établissement")
    page.get_by_label("Nom de l'établissement").fill(establishment)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("heading", name=re.compile("1 établissement"))).to_be_visible()
    page.get_by_role("link", name=re.compile(establishment)).click()


def finish_at_idp(page, login):
    page.get_by_label("Identifiant").select_option(login)
    page.get_by_role("button", name="Se connecter à l'établissement").click()
    page.wait_for_load_state("networkidle")


def test_first_then_second_sign_in_updates_the_account(fed, live_server, page):
    start_sign_in(page, live_server)
    finish_at_idp(page, "camille")
    expect(page.locator(".site-header__user")).to_contain_text("Camille Martin")

    user = User.objects.get(email="camille.martin@univ-valmont.fr")
    assert not user.has_usable_password()
    assert Profile.objects.get(user=user).establishment.uai == "0759991A"
    assert user.groups.filter(name=roles.STAFF).exists()  # staff may post
    assert FederatedIdentity.objects.get(user=user).subject == "camille.martin@univ-valmont.fr"

    # The IdP now says another surname and another address: the same account is updated.
    fed.valmont.users["camille"]["sn"] = ["Martin-Leroy"]
    fed.valmont.users["camille"]["mail"] = ["c.martin-leroy@univ-valmont.fr"]
    try:
        page.context.clear_cookies()
        start_sign_in(page, live_server)
        finish_at_idp(page, "camille")
        expect(page.locator(".site-header__user")).to_contain_text("Camille Martin-Leroy")
    finally:
        fed.valmont.users["camille"]["sn"] = ["Martin"]
        fed.valmont.users["camille"]["mail"] = ["camille.martin@univ-valmont.fr"]
    assert User.objects.filter(first_name="Camille").count() == 1
    user.refresh_from_db()
    assert user.email == "c.martin-leroy@univ-valmont.fr"
    assert user.last_name == "Martin-Leroy"


def test_student_reads_only_and_logout_ends_the_idp_session(fed, live_server, page):
    start_sign_in(page, live_server)
    finish_at_idp(page, "lea")
    expect(page.locator(".site-header__user")).to_contain_text("Léa Petit")
    user = User.objects.get(email="lea.etudiante@etu.univ-valmont.fr")
    assert not user.groups.filter(name=roles.STAFF).exists()

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    assert fed.valmont.logouts, "the IdP received no logout request"


def test_existing_local_account_with_same_email_is_linked(fed, live_server, page):
    from tests import factories

    local = factories.make_user(None, email="camille.martin@univ-valmont.fr", first_name="Cam")
    start_sign_in(page, live_server)
    finish_at_idp(page, "camille")
    expect(page.locator(".site-header__user")).to_contain_text("Camille Martin")
    assert User.objects.filter(email__iexact="camille.martin@univ-valmont.fr").count() == 1
    assert FederatedIdentity.objects.get().user == local


def test_wrong_signature_is_refused(fed, live_server, page):
    fed.valmont.mode = "wrong_key"
    start_sign_in(page, live_server)
    finish_at_idp(page, "camille")
    expect(page.locator("#sso-error")).to_contain_text("signature invalide")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    assert not User.objects.filter(email="camille.martin@univ-valmont.fr").exists()


def test_expired_assertion_is_refused(fed, live_server, page):
    fed.valmont.mode = "expired"
    start_sign_in(page, live_server)
    finish_at_idp(page, "camille")
    expect(page.locator("#sso-error")).to_contain_text("a expiré ou n'était pas destinée")
    assert not User.objects.exists()


def test_replayed_response_is_refused(fed, live_server, page):
    start_sign_in(page, live_server)
    finish_at_idp(page, "camille")
    expect(page.locator(".site-header__user")).to_contain_text("Camille Martin")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("networkidle")
    # The same response, posted again from the IdP's page, in the same browser.
    page.goto(f"{fed.valmont.url}/replay")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#sso-error")).to_contain_text("a expiré ou a déjà été utilisée")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def test_unknown_establishment_and_missing_attribute(fed, live_server, page):
    from accounts.models import Establishment

    Establishment.objects.filter(uai="0699992B").delete()
    start_sign_in(page, live_server, establishment="Rhône")
    finish_at_idp(page, "yanis")
    expect(page.locator("#sso-error")).to_contain_text("pas encore inscrit sur Passerelle")
    assert not User.objects.exists()

    start_sign_in(page, live_server)
    finish_at_idp(page, "sans-mail")
    expect(page.locator("#sso-error")).to_contain_text("mail")
    assert not User.objects.exists()
