"""In Chromium: a member of staff shares an experience, an officer accepts it, the draft exists."""

import pytest

from accounts import roles
from kb.models import ExperienceSubmission
from kb.structure import ensure_site_structure
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    ensure_site_structure()
    domain = factories.DomainFactory(name="RH / Siham", slug="rh")
    factories.make_officer(domain, username="nadia", first_name="Nadia", last_name="Lefèvre")
    establishment = factories.EstablishmentFactory(name="Université de Valmont")
    factories.make_user(roles.STAFF, establishment, username="camille")
    return domain


def sign_in(page, live_server, username, next_path):
    page.goto(f"{live_server.url}/compte/connexion/?next={next_path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_submit_accept_and_find_the_draft(page, live_server, world):
    sign_in(page, live_server, "camille", "/guides/partager/")
    page.get_by_role("heading", level=1, name="Partager un retour d'expérience").wait_for()
    page.get_by_label("Titre").fill("Paie préparée à distance")
    page.get_by_label("Domaine").select_option(label="RH / Siham")
    page.get_by_label("Contexte").fill("Service RH de 12 personnes en télétravail.")
    page.get_by_label("Ce qui a été fait").fill("Un calendrier de paie partagé et des binômes.")
    page.get_by_label("Résultats").fill("Aucune paie en retard sur six mois.")
    page.get_by_label("J'accepte la publication").check()
    page.get_by_role("button", name="Envoyer mon retour d'expérience").click()
    page.get_by_role("heading", level=1, name="Mes contributions").wait_for()
    assert page.get_by_role("cell", name="En attente d'examen").is_visible()

    page.context.clear_cookies()
    submission = ExperienceSubmission.objects.get()
    sign_in(page, live_server, "nadia", "/admin/retours-experience/")
    page.get_by_role("link", name="Paie préparée à distance").click()
    page.get_by_label("Accepter : créer un brouillon de bonne pratique").check()
    page.get_by_role("button", name="Valider la décision").click()
    # The officer lands in the editor of the new draft.
    page.wait_for_url("**/admin/pages/*/edit/")
    assert "Paie préparée à distance" in page.content()
    submission.refresh_from_db()
    draft = submission.page
    assert draft is not None and not draft.live
    # The draft is on the officer's dashboard ("Vos modifications les plus récentes"), as a draft.
    page.goto(f"{live_server.url}/admin/")
    row = page.get_by_role("row").filter(has_text="Paie préparée à distance")
    assert row.is_visible()
    assert "brouillon" in row.inner_text().lower()

    page.context.clear_cookies()
    sign_in(page, live_server, "camille", "/compte/contributions/")
    assert page.get_by_role("cell", name="Acceptée").is_visible()
    assert page.get_by_text("Page en cours de rédaction").is_visible()
