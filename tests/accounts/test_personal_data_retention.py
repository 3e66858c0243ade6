"""Sign-in history, inactive-account retention and the public personal-data page."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from machina.core.db.models import get_model

from accounts import roles
from accounts.personal_data import signins
from accounts.personal_data_models import InactivityWarning, SignInEvent
from outbox.models import Message
from tests import factories

Post = get_model("forum_conversation", "Post")

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_sign_in_is_recorded_truncated_and_shown_on_the_profile(client, staff_user):
    response = client.post(
        reverse("accounts:login"),
        {"login": staff_user.username, "password": factories.PASSWORD},
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT=FIREFOX,
    )
    assert response.status_code == 302
    event = SignInEvent.objects.get(user=staff_user)
    assert event.succeeded and event.method == SignInEvent.Method.PASSWORD
    assert event.ip_prefix == "203.0.113.0/24"  # never the machine's own address
    assert event.user_agent_family == "Firefox · Linux"
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "203.0.113.0/24" in html and "Firefox · Linux" in html
    assert "203.0.113.77" not in html


def test_failed_attempts_recorded_only_for_known_accounts(client, staff_user):
    for username in (staff_user.username, "personne-inconnue"):
        response = client.post(
            reverse("accounts:login"),
            {"login": username, "password": "mauvais"},
            REMOTE_ADDR="2001:db8:1234:5678::9",
        )
        assert response.status_code == 200
    [event] = SignInEvent.objects.all()
    assert event.user == staff_user and not event.succeeded
    assert event.ip_prefix == "2001:db8:1234::/48"


def test_old_events_are_deleted_after_the_configured_months(settings, staff_user):
    settings.PASSERELLE_SIGNIN_HISTORY_MONTHS = 12
    old = SignInEvent.objects.create(user=staff_user)
    SignInEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=400))
    recent = SignInEvent.objects.create(user=staff_user)
    assert signins.purge_old_events() == 1
    assert list(SignInEvent.objects.all()) == [recent]


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit Chrome/130.0 Safari/537.36 Edg/130.0", "Edge · Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit Version/17.0 Safari/605.1", "Safari · macOS"),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit Chrome/130.0 Mobile Safari/537.36", "Chrome · Android"),
        ("curl/8.0", ""),
    ],
)  # fmt: skip
def test_user_agent_family(agent, family):
    assert signins.user_agent_family(agent) == family


def _age(user, days):
    when = timezone.now() - datetime.timedelta(days=days)
    User.objects.filter(pk=user.pk).update(last_login=when, date_joined=when)


def _run(*args):
    out = io.StringIO()
    call_command("purge_inactive_accounts", *args, stdout=out)
    return out.getvalue()


def test_inactive_accounts_are_warned_once_then_erased_keeping_posts(settings, db):
    settings.PASSERELLE_INACTIVE_ACCOUNT_DAYS = 3 * 365
    settings.PASSERELLE_INACTIVE_GRACE_DAYS = 30
    _category, forum = factories.make_category_with_forum()
    sleeper = factories.make_user(roles.STAFF, username="dormeur", last_name="Dormant")
    active = factories.make_user(roles.STAFF, username="eveille")
    topic = factories.make_topic(forum, sleeper, subject="Vieux sujet", content="Vieux message")
    _age(sleeper, 3 * 365 + 1)
    _age(active, 10)

    output = _run("--dry-run")
    assert "[simulation] Comptes prévenus : 1 (dormeur)" in output
    assert not Message.objects.exists() and not InactivityWarning.objects.exists()

    _run()
    _run()  # idempotent: one warning only
    [warning] = Message.objects.filter(to=sleeper.email)
    assert "sera supprimé" in warning.subject
    assert "Ancien membre" in warning.body_text
    assert not Message.objects.filter(to=active.email).exists()
    assert User.objects.filter(pk=sleeper.pk).exists()

    # The grace period ends without a sign-in: erased, posts kept under "Ancien membre".
    InactivityWarning.objects.update(warned_at=timezone.now() - datetime.timedelta(days=31))
    output = _run()
    assert "Comptes supprimés : 1 (dormeur)" in output
    assert not User.objects.filter(pk=sleeper.pk).exists()
    post = Post.objects.get(topic=topic)
    assert post.poster is None and post.username == "Ancien membre"
    assert User.objects.filter(pk=active.pk).exists()
    assert "Comptes supprimés : 0" in _run()


def test_a_person_who_comes_back_is_not_erased(settings, db):
    sleeper = factories.make_user(roles.STAFF, username="revenant")
    _age(sleeper, 4 * 365)
    _run()
    InactivityWarning.objects.update(warned_at=timezone.now() - datetime.timedelta(days=31))
    User.objects.filter(pk=sleeper.pk).update(last_login=timezone.now())
    output = _run()
    assert "Comptes revenus (avertissement retiré) : 1 (revenant)" in output
    assert User.objects.filter(pk=sleeper.pk).exists()
    assert not InactivityWarning.objects.exists()


def test_editors_and_superusers_are_warned_and_listed_never_erased(db):
    editor = factories.make_user(roles.EDITOR, username="vieil-editeur")
    admin = factories.make_user(roles.ADMINISTRATOR, username="vieil-admin")
    for user in (editor, admin):
        _age(user, 4 * 365)
    _run()
    assert Message.objects.filter(to=editor.email, subject__contains="inactif").count() == 1
    InactivityWarning.objects.update(warned_at=timezone.now() - datetime.timedelta(days=90))
    output = _run()
    assert "jamais supprimés automatiquement : 2" in output
    assert "vieil-admin" in output and "vieil-editeur" in output
    assert User.objects.filter(pk__in=[editor.pk, admin.pk]).count() == 2
    assert Message.objects.filter(to=editor.email).count() == 1


def test_personal_data_page_states_the_real_durations_and_cookies(settings, client, db):
    settings.PASSERELLE_SIGNIN_HISTORY_MONTHS = 6
    settings.PASSERELLE_INACTIVE_ACCOUNT_DAYS = 2 * 365
    settings.PASSERELLE_INACTIVE_GRACE_DAYS = 45
    settings.PASSERELLE_DPO_EMAIL = "dpo@agence.example.fr"
    from kb.structure import ensure_site_structure

    ensure_site_structure()
    response = client.get("/donnees-personnelles/")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Historique des connexions : 6 mois",
        "Compte sans connexion depuis 2 ans",
        "45 jours",
        "dpo@agence.example.fr",
        "cnil.fr",
        "<code>sessionid</code>",
        "<code>csrftoken</code>",
        "<code>messages</code>",
        "6.1.e",
    ):
        assert expected in html, expected
    assert "mesure d'audience" in html or "mesure d&#x27;audience" in html


def test_page_is_republished_when_durations_change(settings, client, db):
    from kb.structure import ensure_site_structure

    ensure_site_structure()
    assert (
        "Historique des connexions : 12 mois"
        in client.get("/donnees-personnelles/").content.decode()
    )
    settings.PASSERELLE_SIGNIN_HISTORY_MONTHS = 18
    out = io.StringIO()
    call_command("update_personal_data_page", stdout=out)
    assert "Page republiée" in out.getvalue()
    assert (
        "Historique des connexions : 18 mois"
        in client.get("/donnees-personnelles/").content.decode()
    )
