"""Sign-in never tells whether an account exists; failed sign-ins are slowed, then refused."""

import re
import statistics
import time

import pytest
from django.test import Client

from accounts import roles
from outbox.models import Message
from tests import factories
from tests.accounts.helpers import messages_to, sign_in

pytestmark = pytest.mark.django_db

TOO_MANY = "Trop de tentatives de connexion ont échoué"


def _page(response, login):
    """The answer without what changes on every request (CSRF token) and the login typed."""
    html = response.content.decode().replace(f'value="{login}"', 'value="X"')
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def member(db):
    return factories.make_user(roles.STAFF, username="camille", email="camille@univ-a.example")


def test_unknown_account_and_wrong_password_get_the_same_answer(client, site_tree, member):
    wrong = sign_in(Client(), "camille", "pas-le-bon")
    unknown = sign_in(Client(), "personne", "pas-le-bon")
    assert wrong.status_code == unknown.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in wrong.content.decode()
    assert _page(wrong, "camille") == _page(unknown, "personne")
    wrong_mail = sign_in(Client(), "camille@univ-a.example", "pas-le-bon")
    unknown_mail = sign_in(Client(), "personne@univ-a.example", "pas-le-bon")
    assert _page(wrong_mail, "camille@univ-a.example") == _page(
        unknown_mail, "personne@univ-a.example"
    )


def test_unknown_account_costs_a_password_hash_like_a_wrong_password(site_tree, member, settings):
    """Same timing: allauth hashes the typed password for an unknown account too."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    member.set_password(factories.PASSWORD)
    member.save()

    def duration(login):
        start = time.perf_counter()
        sign_in(Client(), login, "pas-le-bon")
        return time.perf_counter() - start

    sign_in(Client(), "echauffement", "x")
    wrong = statistics.median(duration("camille") for _ in range(3))
    unknown = statistics.median(duration("personne") for _ in range(3))
    # Without the hash an unknown login answers several times faster than a wrong password.
    assert unknown > wrong * 0.6, (unknown, wrong)


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, site_tree, member):
    known = Client().post("/compte/password/reset/", {"email": "camille@univ-a.example"})
    unknown = Client().post("/compte/password/reset/", {"email": "personne@univ-a.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert "/compte/password/reset/key/" in messages_to("camille@univ-a.example")[0].body_text
    assert "/compte/password/reset/key/" not in "".join(
        m.body_text for m in messages_to("personne@univ-a.example")
    )


def test_password_reset_link_sets_a_new_password(client, site_tree, member):
    Client().post("/compte/password/reset/", {"email": "camille@univ-a.example"})
    from tests.accounts.helpers import link_in

    path = link_in(messages_to("camille@univ-a.example")[0], "/compte/password/reset/key/")
    page = client.get(path, follow=True)
    set_url = page.redirect_chain[-1][0]
    weak = client.post(set_url, {"password1": "court", "password2": "court"})
    assert weak.status_code == 200 and "trop court" in weak.content.decode()
    new = "Phare-de-Cordouan-1611"
    assert client.post(set_url, {"password1": new, "password2": new}).status_code == 302
    assert sign_in(Client(), "camille", factories.PASSWORD).status_code == 200
    assert sign_in(Client(), "camille", new).status_code == 302


def test_repeated_failures_for_an_account_are_refused_then_allowed_after_the_window(
    site_tree, member, settings
):
    from django.core.cache import cache

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/10m/ip,3/15m/key"}
    for n in range(3):
        response = sign_in(Client(REMOTE_ADDR=f"10.0.0.{n}"), "camille", "pas-le-bon")
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    # Now even the right password, from yet another address, is refused for a while.
    blocked = sign_in(Client(REMOTE_ADDR="10.0.0.9"), "camille", factories.PASSWORD)
    assert blocked.status_code == 200
    assert TOO_MANY in blocked.content.decode()
    # The same answer for an unknown login that failed as often: nothing tells them apart.
    for n in range(3):
        sign_in(Client(REMOTE_ADDR=f"10.0.1.{n}"), "personne", "pas-le-bon")
    assert TOO_MANY in sign_in(Client(), "personne", "x").content.decode()
    # Another account is not affected.
    other = factories.make_user(roles.STAFF, username="yanis")
    assert (
        sign_in(Client(REMOTE_ADDR="10.0.0.9"), other.username, factories.PASSWORD).status_code
        == 302
    )
    # Once the window is over (the counters expire from the cache), the right password works.
    cache.clear()
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), "camille", factories.PASSWORD).status_code == 302


def test_repeated_failures_from_an_address_are_refused_for_every_account(
    site_tree, member, settings
):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "4/10m/ip,100/15m/key"}
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for login in ("alice", "bob", "carole", "david"):
        sign_in(attacker, login, "pas-le-bon")
    blocked = sign_in(attacker, "camille", factories.PASSWORD)
    assert TOO_MANY in blocked.content.decode()
    assert "_auth_user_id" not in attacker.session
    # The person, from their own address, still signs in.
    own = Client(REMOTE_ADDR="198.51.100.2")
    assert sign_in(own, "camille", factories.PASSWORD).status_code == 302


def test_failures_are_slowed_from_the_third_one(site_tree, member, settings):
    settings.ACCOUNT_LOGIN_FAILED_DELAY = 0.4
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/10m/ip,100/15m/key"}
    sign_in(Client(), "camille", "a")
    sign_in(Client(), "camille", "b")
    start = time.perf_counter()
    sign_in(Client(), "camille", "c")
    assert time.perf_counter() - start >= 0.4
    start = time.perf_counter()
    sign_in(Client(), "camille", "d")
    assert time.perf_counter() - start >= 0.8


def test_sign_in_by_email_address_and_unverified_address_sends_a_new_link(site_tree, member):
    assert sign_in(Client(), "camille@univ-a.example", factories.PASSWORD).status_code == 302
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=member).update(verified=False)
    Message.objects.all().delete()
    client = Client()
    response = sign_in(client, "camille", factories.PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert "/compte/confirm-email/" in messages_to("camille@univ-a.example")[0].body_text
