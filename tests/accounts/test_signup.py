"""Sign-up with an establishment's address, verification through the outbox, account requests."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from accounts import roles
from accounts.models import AccountRequest, Profile
from outbox.models import Message
from tests import factories
from tests.accounts.helpers import link_in, messages_to, sign_in

pytestmark = pytest.mark.django_db

STRONG = "Cabane-de-plage-2026!"


@pytest.fixture
def valmont(db):
    return factories.EstablishmentFactory(
        name="Université de Valmont", uai="0759991A", email_domains="univ-valmont.fr"
    )


def sign_up(client, email, password=STRONG, **extra):
    data = {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": email,
        "password1": password,
        "password2": password,
    }
    data.update(extra)
    return client.post("/compte/inscription/", data)


def test_sign_up_page_is_in_french_and_offers_an_account_request(client, site_tree):
    html = client.get("/compte/inscription/").content.decode()
    assert "Créer un compte" in html
    assert 'href="/compte/demande/"' in html
    assert "Adresse électronique professionnelle" in html


def test_sign_up_verify_then_attached_to_the_establishment(client, site_tree, valmont):
    response = sign_up(client, "camille.martin@univ-valmont.fr")
    assert response.status_code == 302
    user = User.objects.get(email="camille.martin@univ-valmont.fr")
    assert not EmailAddress.objects.get(user=user).verified
    # Not verified yet: no role, no establishment, and signing in only resends the link.
    assert not user.groups.exists()
    client.post("/compte/deconnexion/")
    refused = sign_in(client, "camille.martin@univ-valmont.fr", STRONG)
    assert refused.status_code == 302 and "/compte/connexion/" not in refused["Location"]
    assert "_auth_user_id" not in client.session
    # The verification email waits in the outbox (never sent around it).
    mail = messages_to("camille.martin@univ-valmont.fr")[0]
    assert mail.subject.startswith("[Passerelle]")
    path = link_in(mail, "/compte/confirm-email/")
    page = client.get(path)
    assert page.status_code == 200 and "Confirmer" in page.content.decode()
    done = client.post(path)
    assert done.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert Profile.objects.get(user=user).establishment == valmont
    assert user.groups.filter(name=roles.STAFF).exists()
    assert client.session["_auth_user_id"] == str(user.pk)  # signed in on verification
    assert "Camille Martin" in client.get("/").content.decode()


def test_a_verification_link_expires(client, site_tree, valmont, settings):
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0
    sign_up(client, "lent@univ-valmont.fr")
    path = link_in(messages_to("lent@univ-valmont.fr")[0], "/compte/confirm-email/")
    time.sleep(1.1)
    response = client.post(path)
    assert response.status_code == 400
    assert "Ce lien de confirmation a expiré" in response.content.decode()
    assert not EmailAddress.objects.get(email="lent@univ-valmont.fr").verified


def test_a_verification_link_used_twice_is_harmless(client, site_tree, valmont):
    sign_up(client, "deux@univ-valmont.fr")
    path = link_in(messages_to("deux@univ-valmont.fr")[0], "/compte/confirm-email/")
    assert client.post(path).status_code == 302
    again = client.get(path)
    assert again.status_code == 400
    assert "a déjà servi" in again.content.decode()
    assert client.post(path).status_code == 400
    assert User.objects.filter(email="deux@univ-valmont.fr").count() == 1


def test_unknown_domain_is_refused_beside_the_field_and_keeps_what_was_typed(
    client, site_tree, valmont
):
    response = sign_up(client, "camille@gmail.example")
    assert response.status_code == 200
    html = response.content.decode()
    assert "aucun établissement connu" in html
    assert 'href="/compte/demande/"' in html
    assert 'value="Camille"' in html and 'value="camille@gmail.example"' in html
    assert not User.objects.filter(email="camille@gmail.example").exists()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-1!", "trop court"),
        ("123456789012345", "entièrement numérique"),
        ("1qaz2wsx3edc", "trop courant"),
        ("camille.martin@univ", "trop semblable"),
    ],
)
def test_password_rules_answer_in_french(client, site_tree, valmont, password, message):
    response = sign_up(client, "camille.martin@univ-valmont.fr", password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="camille.martin@univ-valmont.fr").exists()


def test_sign_up_with_a_taken_address_answers_the_same_and_warns_the_owner(
    client, site_tree, valmont
):
    factories.make_user(roles.STAFF, valmont, email="deja@univ-valmont.fr")
    taken = sign_up(client, "deja@univ-valmont.fr")
    client.cookies.clear()
    fresh = sign_up(client, "nouveau@univ-valmont.fr")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email="deja@univ-valmont.fr").count() == 1
    # The owner of the address is told someone tried, in place of a verification link.
    warning = messages_to("deja@univ-valmont.fr")[0]
    assert "/compte/confirm-email/" not in warning.body_text


def test_account_request_is_saved_and_the_person_told(client, site_tree):
    editor = factories.make_user(roles.EDITOR, email="claire@agence.example")
    response = client.post(
        "/compte/demande/",
        {
            "first_name": "Inès",
            "last_name": "Morel",
            "email": "ines.morel@rectorat.example",
            "establishment_name": "Rectorat de Valmont",
            "reason": "Référente numérique, je suis les guides du télétravail.",
        },
    )
    assert response.status_code == 200
    assert "Votre demande est enregistrée" in response.content.decode()
    request = AccountRequest.objects.get()
    assert request.status == AccountRequest.Status.PENDING
    assert not User.objects.filter(email="ines.morel@rectorat.example").exists()
    notice = messages_to(editor.email)[0]
    assert "Inès Morel" in notice.subject
    assert f"/admin/demandes-de-compte/{request.pk}/" in notice.body_text


def test_account_request_errors_are_french_and_keep_the_text(client, site_tree):
    response = client.post(
        "/compte/demande/",
        {"first_name": "Inès", "last_name": "", "email": "pas-une-adresse", "reason": "Bonjour"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Champ requis." in html
    assert "adresse électronique valide" in html
    assert "Bonjour</textarea>" in html
    assert not AccountRequest.objects.exists()


def _pending_request(**kwargs):
    values = {
        "first_name": "Inès",
        "last_name": "Morel",
        "email": "ines.morel@rectorat.example",
        "establishment_name": "Rectorat de Valmont",
        "reason": "Référente numérique.",
    }
    values.update(kwargs)
    return AccountRequest.objects.create(**values)


def test_editor_approves_a_request_and_the_person_sets_a_password(
    client, client_for, site_tree, valmont
):
    editor = factories.make_user(roles.EDITOR)
    request = _pending_request()
    admin = client_for(editor)
    listing = admin.get("/admin/demandes-de-compte/")
    assert listing.status_code == 200 and "Inès Morel" in listing.content.decode()
    response = admin.post(
        f"/admin/demandes-de-compte/{request.pk}/",
        {"decision": "approve", "establishment": valmont.pk, "note": ""},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AccountRequest.Status.APPROVED and request.decided_by == editor
    user = User.objects.get(email="ines.morel@rectorat.example")
    assert user.groups.filter(name=roles.STAFF).exists()
    assert Profile.objects.get(user=user).establishment == valmont
    assert not user.has_usable_password()
    mail = messages_to("ines.morel@rectorat.example")[0]
    path = link_in(mail, "/compte/password/reset/key/")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(set_url, {"password1": STRONG, "password2": STRONG})
    assert done.status_code == 302
    client.post("/compte/deconnexion/")
    assert sign_in(client, "ines.morel@rectorat.example", STRONG).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    # A decided request cannot be decided again.
    again = admin.post(
        f"/admin/demandes-de-compte/{request.pk}/", {"decision": "refuse", "note": "x"}
    )
    assert again.status_code == 200
    request.refresh_from_db()
    assert request.status == AccountRequest.Status.APPROVED


def test_editor_refuses_with_an_explanation_sent_to_the_person(client_for, site_tree):
    editor = factories.make_user(roles.EDITOR)
    request = _pending_request()
    admin = client_for(editor)
    missing = admin.post(
        f"/admin/demandes-de-compte/{request.pk}/", {"decision": "refuse", "note": ""}
    )
    assert missing.status_code == 200
    assert "Expliquez le refus" in missing.content.decode()
    admin.post(
        f"/admin/demandes-de-compte/{request.pk}/",
        {"decision": "refuse", "note": "Passerelle est réservé aux établissements membres."},
    )
    request.refresh_from_db()
    assert request.status == AccountRequest.Status.REFUSED
    mail = messages_to("ines.morel@rectorat.example")[0]
    assert "réservé aux établissements membres" in mail.body_text
    assert not User.objects.filter(email="ines.morel@rectorat.example").exists()


def test_only_editors_review_account_requests(client_for, site_tree):
    request = _pending_request()
    staff = factories.make_user(roles.STAFF)
    officer = factories.make_officer(factories.DomainFactory())
    editor = factories.make_user(roles.EDITOR)
    assert client_for(editor).get(f"/admin/demandes-de-compte/{request.pk}/").status_code == 200
    # Wagtail answers a refused admin page with a redirect to the dashboard (or to its sign-in).
    officer_view = client_for(officer).get("/admin/demandes-de-compte/")
    assert officer_view.status_code == 302 and officer_view["Location"] == "/admin/"
    staff_view = client_for(staff).get("/admin/demandes-de-compte/")
    assert staff_view.status_code == 302 and "/admin/login/" in staff_view["Location"]
    refused = client_for(officer).post(
        f"/admin/demandes-de-compte/{request.pk}/", {"decision": "approve"}
    )
    assert refused.status_code == 302
    request.refresh_from_db()
    assert request.status == AccountRequest.Status.PENDING


def test_account_requests_are_limited_per_address_and_keep_what_was_typed(
    client, site_tree, settings
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "account_request": "2/h/ip"}
    data = {
        "first_name": "Inès",
        "last_name": "Morel",
        "email": "ines.morel@rectorat.example",
        "establishment_name": "Rectorat de Valmont",
        "reason": "Référente numérique.",
    }
    assert client.post("/compte/demande/", data).status_code == 200
    assert client.post("/compte/demande/", data).status_code == 200
    third = client.post("/compte/demande/", data)
    assert third.status_code == 429
    html = third.content.decode()
    assert "Trop de demandes" in html and 'value="Rectorat de Valmont"' in html
    assert AccountRequest.objects.count() == 2
