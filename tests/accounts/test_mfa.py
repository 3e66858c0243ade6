"""TOTP for everyone; required for editors and administrators before /admin/ and /django-admin/."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts import roles
from tests import factories
from tests.accounts.helpers import sign_in, totp_code

pytestmark = pytest.mark.django_db


def activate_totp(client):
    """Set up TOTP through allauth's page, as a person with an app would; return the secret."""
    page = client.get("/compte/2fa/totp/activate/")
    if page.status_code == 302:
        # allauth asks for the password again before a change of authenticators.
        assert page["Location"].startswith("/compte/reauthenticate/")
        confirm = client.post(page["Location"], {"password": factories.PASSWORD})
        assert confirm.status_code == 302
        page = client.get("/compte/2fa/totp/activate/")
    assert page.status_code == 200
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())
    secret = secret.group(1) if secret else client.session["mfa.totp.secret"]
    wrong = client.post("/compte/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and "incorrect" in wrong.content.decode().lower()
    done = client.post("/compte/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    return secret


@pytest.mark.parametrize("role", [roles.EDITOR, roles.ADMINISTRATOR])
def test_editor_and_admin_without_totp_are_sent_to_set_it_up(site_tree, role):
    user = factories.make_user(role)
    client = Client()
    assert sign_in(client, user.username, factories.PASSWORD).status_code == 302
    for path in ("/admin/", "/django-admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/2fa/totp/activate/?next=")
    page = client.get("/admin/", follow=True)
    assert "double authentification" in page.content.decode()


def test_after_setting_up_totp_the_editor_reaches_the_admin(site_tree):
    editor = factories.make_user(roles.EDITOR)
    client = Client()
    sign_in(client, editor.username, factories.PASSWORD)
    activate_totp(client)
    assert Authenticator.objects.filter(user=editor, type="totp").exists()
    assert Authenticator.objects.filter(user=editor, type="recovery_codes").exists()
    assert client.get("/admin/").status_code == 200


def test_editor_with_totp_passes_the_code_step_at_sign_in(site_tree):
    editor = factories.make_user(roles.EDITOR)
    setup = Client()
    sign_in(setup, editor.username, factories.PASSWORD)
    secret = activate_totp(setup)
    client = Client()
    response = sign_in(client, editor.username, factories.PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/compte/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in before the code
    wrong = client.post("/compte/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert client.post("/compte/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert client.get("/admin/").status_code == 200
    assert client.get("/django-admin/").status_code == 302  # an editor is no Django staff


def test_administrator_with_totp_reaches_the_django_admin(site_tree):
    admin = factories.make_user(roles.ADMINISTRATOR)
    setup = Client()
    sign_in(setup, admin.username, factories.PASSWORD)
    secret = activate_totp(setup)
    client = Client()
    sign_in(client, admin.username, factories.PASSWORD)
    client.post("/compte/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_session_without_the_second_factor_gets_the_totp_step(site_tree):
    """A session opened another way (e.g. before TOTP was set up) must pass the code first."""
    editor = factories.make_user(roles.EDITOR)
    setup = Client()
    sign_in(setup, editor.username, factories.PASSWORD)
    secret = activate_totp(setup)
    client = Client()
    client.force_login(editor)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/2fa/reauthenticate/?next=")
    step = client.post(
        "/compte/2fa/reauthenticate/?next=/admin/pages/", {"code": totp_code(secret)}
    )
    assert step.status_code == 302 and step["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_staff_and_officers_are_never_asked_for_totp(site_tree):
    staff = factories.make_user(roles.STAFF)
    officer = factories.make_officer(factories.DomainFactory())
    client = Client()
    sign_in(client, staff.username, factories.PASSWORD)
    response = client.get("/admin/")
    assert "/2fa/" not in response.get("Location", "")
    assert client.get("/forum/").status_code == 200
    officer_client = Client()
    sign_in(officer_client, officer.username, factories.PASSWORD)
    assert officer_client.get("/admin/").status_code == 200


def test_recovery_code_replaces_the_app_once(site_tree):
    editor = factories.make_user(roles.EDITOR)
    setup = Client()
    sign_in(setup, editor.username, factories.PASSWORD)
    activate_totp(setup)
    codes = Authenticator.objects.get(user=editor, type="recovery_codes").wrap().get_unused_codes()
    client = Client()
    sign_in(client, editor.username, factories.PASSWORD)
    assert client.post("/compte/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200
    again = Client()
    sign_in(again, editor.username, factories.PASSWORD)
    assert again.post("/compte/2fa/authenticate/", {"code": codes[0]}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_requirement_can_be_switched_off(site_tree, settings):
    settings.PASSERELLE_MFA_REQUIRED = False
    editor = factories.make_user(roles.EDITOR)
    client = Client()
    sign_in(client, editor.username, factories.PASSWORD)
    assert client.get("/admin/").status_code == 200
