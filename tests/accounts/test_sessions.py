"""A person sees their sessions, ends the others; a new password ends them; email change."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts import roles
from tests import factories
from tests.accounts.helpers import link_in, messages_to, sign_in

pytestmark = pytest.mark.django_db

NEW = "Grand-Phare-de-Valmont-2026"


@pytest.fixture
def member(db):
    return factories.make_user(roles.STAFF, username="camille", email="camille@univ-a.example")


def two_sessions(user):
    laptop, phone = Client(HTTP_USER_AGENT="Firefox portable"), Client(HTTP_USER_AGENT="Phone")
    assert sign_in(laptop, user.username, factories.PASSWORD).status_code == 302
    assert sign_in(phone, user.username, factories.PASSWORD).status_code == 302
    return laptop, phone


def signed_in(client):
    return client.get("/compte/profil/").status_code == 200


def test_sessions_are_listed_and_the_others_can_be_ended(site_tree, member):
    laptop, phone = two_sessions(member)
    page = laptop.get("/compte/sessions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Firefox portable" in html and "Phone" in html
    assert "Mettre fin aux autres sessions" in html
    assert laptop.post("/compte/sessions/").status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)


def test_changing_the_password_ends_the_other_sessions(site_tree, member):
    laptop, phone = two_sessions(member)
    response = laptop.post(
        "/compte/password/change/",
        {"oldpassword": factories.PASSWORD, "password1": NEW, "password2": NEW},
    )
    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)


def test_weak_new_password_is_refused_in_french(site_tree, member):
    laptop, _phone = two_sessions(member)
    response = laptop.post(
        "/compte/password/change/",
        {"oldpassword": factories.PASSWORD, "password1": "12345678", "password2": "12345678"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "trop court" in html and "entièrement numérique" in html


def test_email_change_waits_for_the_new_address_to_be_verified(site_tree, member):
    client = Client()
    sign_in(client, "camille", factories.PASSWORD)
    response = client.post("/compte/email/", {"email": "c.martin@univ-b.example", "action_add": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "camille@univ-a.example"  # unchanged until verified
    new = EmailAddress.objects.get(email="c.martin@univ-b.example")
    assert not new.verified
    path = link_in(messages_to("c.martin@univ-b.example")[0], "/compte/confirm-email/")
    assert client.post(path).status_code == 302
    member.refresh_from_db()
    assert member.email == "c.martin@univ-b.example"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == [
        "c.martin@univ-b.example"
    ]


# --- Last activity, written at most once per interval (accounts/session_activity.py) -----------


def _session_writes(client, path="/compte/profil/"):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "usersessions_usersession" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
    ]


def test_a_signed_in_reread_does_not_write_the_session_each_time(site_tree, member, settings):
    from allauth.usersessions.models import UserSession
    from django.core.cache import cache

    settings.USERSESSIONS_TRACK_ACTIVITY_INTERVAL = 300
    client = Client(HTTP_USER_AGENT="Firefox portable")
    assert sign_in(client, member.username, factories.PASSWORD).status_code == 302
    session_key = client.session.session_key
    cache.delete(f"usersession-seen:{session_key}")
    assert len(_session_writes(client)) == 1  # the first page of the interval records activity
    assert _session_writes(client) == []  # the next ones within it write nothing
    assert _session_writes(client) == []
    # Once the interval has passed (its cache key expired), the activity is written again.
    cache.delete(f"usersession-seen:{session_key}")
    before = UserSession.objects.get(session_key=session_key).last_seen_at
    assert len(_session_writes(client)) == 1
    assert UserSession.objects.get(session_key=session_key).last_seen_at > before
    assert "Firefox portable" in client.get("/compte/sessions/").content.decode()


def test_with_no_interval_every_request_records_activity_as_allauth_does(
    site_tree, member, settings
):
    settings.USERSESSIONS_TRACK_ACTIVITY_INTERVAL = 0
    client = Client()
    assert sign_in(client, member.username, factories.PASSWORD).status_code == 302
    assert len(_session_writes(client)) == 1
    assert len(_session_writes(client)) == 1
