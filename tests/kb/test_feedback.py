"""'Cette page vous a-t-elle été utile ?': anonymous, CSRF-protected, rate-limited, private."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts import roles
from kb.feedback import RATE_LIMIT
from kb.models import PageFeedback
from tests import factories


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def practice(site_tree):
    domain = factories.DomainFactory(name="Sécurité SI", slug="securite-si")
    owner = factories.make_officer(domain)
    return factories.make_practice(
        site_tree.guides, title="Double authentification", domain=domain, owner_officer=owner
    )


@pytest.mark.django_db
def test_anonymous_reader_answers_with_a_comment(client, practice):
    html = client.get(practice.url).content.decode()
    assert "Cette page vous a-t-elle été utile ?" in html
    response = client.post(
        practice.url + "avis/", {"useful": "non", "comment": "Il manque la partie VPN."}
    )
    assert response.status_code == 302
    item = PageFeedback.objects.get()
    assert (item.page_id, item.useful, item.comment) == (
        practice.pk,
        False,
        "Il manque la partie VPN.",
    )
    assert "Merci, votre avis a bien été transmis" in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_without_a_token_nothing_is_recorded_until_confirmed_on_a_protected_step(practice):
    """The cached page carries no token (no cookie); without JavaScript the post gets a
    confirmation step with one, keeping what was typed; confirming records the answer."""
    import re

    strict = Client(enforce_csrf_checks=True)
    page = strict.get(practice.url)
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies
    response = strict.post(
        practice.url + "avis/", {"useful": "non", "comment": "Il manque le VPN."}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirmer votre avis" in html and "Il manque le VPN." in html
    assert response["Cache-Control"] == "private, no-store"
    assert not PageFeedback.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    forged = strict.post(practice.url + "avis/", {"useful": "non", "csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 200 and not PageFeedback.objects.exists()
    confirmed = strict.post(
        practice.url + "avis/",
        {"useful": "non", "comment": "Il manque le VPN.", "csrfmiddlewaretoken": token},
    )
    assert confirmed.status_code == 302
    assert PageFeedback.objects.get().comment == "Il manque le VPN."


@pytest.mark.django_db
def test_bad_input_gets_a_clear_message_and_keeps_the_comment(client, practice):
    response = client.post(practice.url + "avis/", {"comment": "Sans réponse"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez « Oui » ou « Non »." in html and "Sans réponse" in html
    too_long = "x" * 2001
    response = client.post(practice.url + "avis/", {"useful": "non", "comment": too_long})
    assert response.status_code == 400
    assert "dépasse 2000 caractères" in response.content.decode()
    assert not PageFeedback.objects.exists()
    assert client.get(practice.url + "avis/").status_code == 405


@pytest.mark.django_db
def test_hostile_html_is_stored_as_written_and_rendered_inert(client_for, practice):
    Client().post(
        practice.url + "avis/", {"useful": "non", "comment": "<script>alert(1)</script>Bof"}
    )
    editor = factories.make_user(roles.EDITOR)
    html = client_for(editor).get("/admin/avis-lecteurs/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Bof" in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.django_db
def test_a_flood_is_rate_limited_with_a_french_message_not_a_500(client, practice):
    for _ in range(RATE_LIMIT):
        assert client.post(practice.url + "avis/", {"useful": "oui"}).status_code == 302
    response = client.post(practice.url + "avis/", {"useful": "non", "comment": "Mon texte"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "beaucoup d&#x27;avis en peu de temps" in html
    assert "Mon texte" in html  # nothing the reader wrote is lost
    assert PageFeedback.objects.count() == RATE_LIMIT
    # Another client is not affected.
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(practice.url + "avis/", {"useful": "oui"}).status_code == 302


@pytest.mark.django_db
def test_comments_are_private_to_editors_and_the_page_owner(client_for, client, practice):
    PageFeedback.objects.create(page=practice, useful=False, comment="Lien cassé")
    PageFeedback.objects.create(page=practice, useful=True)
    owner = practice.owner_officer
    editor = factories.make_user(roles.EDITOR)
    other_officer = factories.make_officer(factories.DomainFactory(name="RH", slug="rh"))
    staff = factories.make_user(roles.STAFF)
    for allowed in (owner, editor):
        html = client_for(allowed).get("/admin/avis-lecteurs/").content.decode()
        assert "Lien cassé" in html and "Double authentification" in html
    html = client_for(other_officer).get("/admin/avis-lecteurs/").content.decode()
    assert "Lien cassé" not in html
    assert client_for(staff).get("/admin/avis-lecteurs/").status_code == 302
    assert "Lien cassé" not in client.get(practice.url).content.decode()


@pytest.mark.django_db
def test_owner_marks_a_comment_handled_and_others_cannot(client_for, practice):
    item = PageFeedback.objects.create(page=practice, useful=False, comment="Lien cassé")
    other_officer = factories.make_officer(factories.DomainFactory(name="RH", slug="rh"))
    url = f"/admin/avis-lecteurs/{item.pk}/traite/"
    refused = client_for(other_officer).post(url)
    assert (refused.status_code, refused.url) == (302, "/admin/")  # Wagtail's "permission denied"
    item.refresh_from_db()
    assert item.needs_review
    assert client_for(practice.owner_officer).post(url).status_code == 302
    item.refresh_from_db()
    assert not item.needs_review


@pytest.mark.django_db
def test_admin_aggregates_per_page(client_for, practice):
    for useful in (True, True, False):
        PageFeedback.objects.create(page=practice, useful=useful)
    editor = factories.make_user(roles.EDITOR)
    html = client_for(editor).get("/admin/avis-lecteurs/").content.decode()
    assert "<td>2</td><td>1</td><td>0</td>" in html
