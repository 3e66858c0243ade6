"""ProConnect's redirect dance in Chromium against a real OpenID provider (node-oidc-provider)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts import roles
from accounts.models import FederatedIdentity
from tests.sso.conftest import PROCONNECT_ACCOUNTS

pytestmark = [pytest.mark.browser]

User = get_user_model()


def sign_in(page, live_server, login="agent"):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_role("link", name="S'identifier avec ProConnect").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("nimporte")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_first_and_second_sign_in_then_logout_at_the_provider(op, live_server, page):
    callbacks = []
    page.on(
        "request",
        lambda r: callbacks.append(r.url) if "/compte/proconnect/retour/" in r.url else None,
    )
    sign_in(page, live_server)
    expect(page.locator(".site-header__user")).to_contain_text("Alice Durand")
    user = User.objects.get(email="alice.durand@education.gouv.fr")
    identity = FederatedIdentity.objects.get(user=user)
    assert identity.provider == "proconnect" and identity.subject == "agent"
    assert user.groups.filter(name=roles.STAFF).exists()
    # PKCE and nonce were sent and checked: the callback carried only code and state.
    assert callbacks and "code=" in callbacks[0] and "state=" in callbacks[0]

    # Replaying the provider's answer (same code, same state) signs no one in.
    page.context.clear_cookies()
    page.goto(callbacks[0])
    expect(page.locator("#sso-error")).to_contain_text("a expiré ou a déjà été utilisée")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()

    # The provider now knows her under another usual name: the same account is updated.
    op.set_accounts({"agent": {**PROCONNECT_ACCOUNTS["agent"], "usual_name": "Durand-Moreau"}})
    page.context.clear_cookies()
    sign_in(page, live_server)
    expect(page.locator(".site-header__user")).to_contain_text("Alice Durand-Moreau")
    assert User.objects.count() == 1

    # Signing out ends the provider's session too (its end_session page, then back home).
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/session/end"))
    page.locator("button[autofocus], button[type=submit]").first.click()
    page.wait_for_url(re.compile(re.escape(f"{live_server.url}/") + r"(\?state=.*)?$"))
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    # The provider asks for credentials again: its session is gone.
    page.goto(f"{live_server.url}/compte/proconnect/connexion/")
    expect(page.locator("input[name=login]")).to_be_visible()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("bad_signature", "n'a pas pu être vérifiée"),
        ("wrong_aud", "n'a pas pu être vérifiée"),
        ("expired", "a expiré ou a déjà été utilisée"),
        ("wrong_nonce", "n'a pas pu être vérifiée"),
    ],
)
def test_faulty_id_tokens_are_refused(op, live_server, page, mode, message):
    op.set_mode(mode)
    sign_in(page, live_server)
    expect(page.locator("#sso-error")).to_contain_text(message)
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    assert not User.objects.exists()


def test_slow_token_endpoint_times_out_in_french(op, live_server, page, settings):
    settings.OIDC_TIMEOUT = 2
    op.set_mode("slow_token")
    sign_in(page, live_server)
    expect(page.locator("#sso-error")).to_contain_text("ProConnect ne répond pas")
    assert not User.objects.exists()
