"""Establishments' experiences: submission, officers' queue, accept / ask changes / decline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import roles
from kb.models import ExperienceSubmission, PracticePage
from outbox.models import Message
from tests import factories


def form_data(domain, **overrides):
    data = {
        "title": "Télétravail des gestionnaires de paie",
        "domain": domain.pk,
        "context": "Service RH de 12 personnes.",
        "actions": "Nous avons ouvert le VPN à toute l'équipe.",
        "results": "La paie est partie à l'heure.",
        "tools": "Siham, VPN",
        "consent_to_publish": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def world(site_tree):
    domain = factories.DomainFactory(name="RH / Siham", slug="rh")
    officer = factories.make_officer(domain, email="officer@example.fr")
    establishment = factories.EstablishmentFactory(name="Université de Valmont")
    staff = factories.make_user(roles.STAFF, establishment, email="camille@example.fr")
    return {"domain": domain, "officer": officer, "staff": staff, "establishment": establishment}


@pytest.mark.django_db
def test_signed_in_staff_submit_and_officers_are_notified(client_for, world):
    client = client_for(world["staff"])
    assert client.get("/guides/partager/").status_code == 200
    response = client.post("/guides/partager/", form_data(world["domain"]))
    assert response.status_code == 302 and response.url == "/compte/contributions/"
    submission = ExperienceSubmission.objects.get()
    assert submission.submitter == world["staff"]
    assert submission.establishment == world["establishment"]
    assert submission.status == ExperienceSubmission.Status.SUBMITTED
    assert submission.page is None  # never publishes itself
    assert not PracticePage.objects.filter(title=submission.title).exists()
    message = Message.objects.get(to="officer@example.fr")
    assert "Télétravail des gestionnaires de paie" in message.body_text
    html = client.get("/compte/contributions/").content.decode()
    assert "Télétravail des gestionnaires de paie" in html and "En attente d&#x27;examen" in html


@pytest.mark.django_db
def test_anonymous_and_roleless_people_cannot_submit(client, client_for, world):
    response = client.get("/guides/partager/")
    assert response.status_code == 302 and "/compte/connexion/" in response.url
    assert client.get("/compte/contributions/").status_code == 302
    nobody = factories.make_user(None)
    assert (
        client_for(nobody).post("/guides/partager/", form_data(world["domain"])).status_code == 403
    )
    assert not ExperienceSubmission.objects.exists()


@pytest.mark.django_db
def test_empty_oversized_and_hostile_input(client_for, world):
    client = client_for(world["staff"])
    response = client.post("/guides/partager/", form_data(world["domain"], title="   ", results=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in html or "Ce champ ne peut pas être vide." in html
    assert "Nous avons ouvert le VPN à toute l&#x27;équipe." in html  # nothing is lost
    response = client.post("/guides/partager/", form_data(world["domain"], context="x" * 5001))
    assert "dépasse 5000 caractères" in response.content.decode()
    big = SimpleUploadedFile("rapport.pdf", b"0" * (10 * 1024 * 1024 + 1), "application/pdf")
    response = client.post("/guides/partager/", {**form_data(world["domain"]), "attachment": big})
    assert "10 Mo au plus" in response.content.decode()
    exe = SimpleUploadedFile("outil.exe", b"MZ", "application/octet-stream")
    response = client.post("/guides/partager/", {**form_data(world["domain"]), "attachment": exe})
    assert "extension" in response.content.decode().lower()
    assert not ExperienceSubmission.objects.exists()

    hostile = form_data(world["domain"], title="<img src=x onerror=alert(1)>Retour")
    assert client.post("/guides/partager/", hostile).status_code == 302
    html = client.get("/compte/contributions/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;Retour" in html
    assert "<img src=x" not in html


@pytest.mark.django_db
def test_domain_without_officers_goes_to_the_editors(client_for, world):
    lonely = factories.DomainFactory(name="Finances", slug="finances")
    editor = factories.make_user(roles.EDITOR, email="editeur@example.fr")
    client_for(world["staff"]).post("/guides/partager/", form_data(lonely))
    assert Message.objects.filter(to="editeur@example.fr").exists()
    assert not Message.objects.filter(to="officer@example.fr").exists()
    submission = ExperienceSubmission.objects.get()
    assert client_for(editor).get(f"/admin/retours-experience/{submission.pk}/").status_code == 200


def submit(client_for, world, **overrides):
    client_for(world["staff"]).post("/guides/partager/", form_data(world["domain"], **overrides))
    return ExperienceSubmission.objects.latest("pk")


@pytest.mark.django_db
def test_officer_accepts_and_a_draft_practice_keeps_the_attribution(client_for, world):
    submission = submit(client_for, world)
    officer = client_for(world["officer"])
    assert (
        "Télétravail des gestionnaires"
        in officer.get("/admin/retours-experience/").content.decode()
    )
    response = officer.post(f"/admin/retours-experience/{submission.pk}/", {"action": "accept"})
    submission.refresh_from_db()
    page = submission.page
    assert response.status_code == 302 and response.url == f"/admin/pages/{page.pk}/edit/"
    assert submission.status == ExperienceSubmission.Status.ACCEPTED
    assert not page.live and page.domain == world["domain"]
    assert page.owner_officer == world["officer"]
    draft = page.get_latest_revision_as_object()
    rendered = str(draft.body)
    assert "Nous avons ouvert le VPN" in rendered and "Université de Valmont" in rendered
    assert Message.objects.filter(to="camille@example.fr", subject__contains="acceptée").exists()
    # Accepting twice does nothing more.
    officer.post(f"/admin/retours-experience/{submission.pk}/", {"action": "accept"})
    assert PracticePage.objects.filter(title=submission.title).count() == 1


@pytest.mark.django_db
def test_without_consent_the_establishment_is_not_named(client_for, world):
    submission = submit(client_for, world, consent_to_publish="")
    client_for(world["officer"]).post(
        f"/admin/retours-experience/{submission.pk}/", {"action": "accept"}
    )
    submission.refresh_from_db()
    assert "Université de Valmont" not in str(submission.page.get_latest_revision_as_object().body)


@pytest.mark.django_db
def test_officer_asks_for_changes_and_the_submitter_edits(client_for, world):
    submission = submit(client_for, world)
    officer = client_for(world["officer"])
    response = officer.post(f"/admin/retours-experience/{submission.pk}/", {"action": "changes"})
    assert "Expliquez à l" in response.content.decode()  # a message is required
    officer.post(
        f"/admin/retours-experience/{submission.pk}/",
        {"action": "changes", "message": "Précisez le nombre de licences VPN."},
    )
    submission.refresh_from_db()
    assert submission.status == ExperienceSubmission.Status.CHANGES_REQUESTED
    mail = Message.objects.get(to="camille@example.fr")
    assert "Précisez le nombre de licences VPN." in mail.body_text
    staff = client_for(world["staff"])
    html = staff.get("/compte/contributions/").content.decode()
    assert "Précisez le nombre de licences VPN." in html and "Modifier et renvoyer" in html
    staff.post(
        f"/guides/partager/{submission.pk}/modifier/",
        form_data(world["domain"], actions="VPN : 40 licences ouvertes."),
    )
    submission.refresh_from_db()
    assert submission.status == ExperienceSubmission.Status.SUBMITTED
    assert submission.actions == "VPN : 40 licences ouvertes."
    assert Message.objects.filter(to="officer@example.fr").count() == 2
    # Someone else cannot edit it; a submitted one cannot be edited.
    other = client_for(factories.make_user(roles.STAFF))
    assert other.get(f"/guides/partager/{submission.pk}/modifier/").status_code == 404
    assert staff.get(f"/guides/partager/{submission.pk}/modifier/").status_code == 302


@pytest.mark.django_db
def test_officer_declines_with_a_reason(client_for, world):
    submission = submit(client_for, world)
    client_for(world["officer"]).post(
        f"/admin/retours-experience/{submission.pk}/",
        {"action": "decline", "message": "Déjà couvert par le guide."},
    )
    submission.refresh_from_db()
    assert submission.status == ExperienceSubmission.Status.DECLINED
    html = client_for(world["staff"]).get("/compte/contributions/").content.decode()
    assert "Refusée" in html and "Déjà couvert par le guide." in html


@pytest.mark.django_db
def test_other_domains_officers_cannot_see_or_decide(client_for, world):
    submission = submit(client_for, world)
    stranger = factories.make_officer(factories.DomainFactory(name="Finances", slug="finances"))
    client = client_for(stranger)
    assert (
        "Télétravail des gestionnaires"
        not in client.get("/admin/retours-experience/").content.decode()
    )
    response = client.post(f"/admin/retours-experience/{submission.pk}/", {"action": "accept"})
    assert response.status_code == 302 and response.url == "/admin/"
    submission.refresh_from_db()
    assert submission.status == ExperienceSubmission.Status.SUBMITTED


@pytest.mark.django_db
def test_an_editor_accepts_for_a_domain_without_officers(client_for, world):
    lonely = factories.DomainFactory(name="Finances", slug="finances")
    editor = factories.make_user(roles.EDITOR, email="editeur@example.fr")
    client_for(world["staff"]).post("/guides/partager/", form_data(lonely))
    submission = ExperienceSubmission.objects.get()
    client_for(editor).post(f"/admin/retours-experience/{submission.pk}/", {"action": "accept"})
    submission.refresh_from_db()
    assert submission.status == ExperienceSubmission.Status.ACCEPTED
    assert submission.page.owner_officer is None  # reminders will go to the editors
