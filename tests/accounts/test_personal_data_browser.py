"""In a real Chromium: a person deletes their account keeping their posts as "Ancien membre"."""

import os

import pytest
from django.contrib.auth.models import User

from accounts import roles
from tests import factories
from tests.forum.world import topic_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    folder = os.environ.get("PASSERELLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_delete_account_keeping_posts_then_topic_shows_former_member(page, live_server):
    from kb.structure import ensure_site_structure

    ensure_site_structure()
    _category, forum = factories.make_category_with_forum("Entraide", "Questions RH")
    leaving = factories.make_user(
        roles.STAFF, username="cpartante", first_name="Camille", last_name="Partante"
    )
    other = factories.make_user(roles.STAFF, username="yrestant", first_name="Yanis")
    topic = factories.make_topic(forum, other, subject="Paie à distance", content="Comment ?")
    from machina.core.db.models import get_model

    get_model("forum_conversation", "Post").objects.create(
        topic=topic, poster=leaving, subject="Re", content="Avec des binômes."
    )

    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Identifiant").fill("cpartante")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/compte/profil/")
    section = page.get_by_role("region", name="Mes données personnelles")
    assert section.get_by_text("identifiant et mot de passe").first.is_visible()  # history
    _shot(page, "profile-1280.png")
    section.get_by_role("link", name="Voir tout ce que Passerelle détient sur moi").click()
    assert page.get_by_role("heading", name="Mes données personnelles", level=1).is_visible()
    assert page.get_by_text("Avec des binômes.").is_visible()
    _shot(page, "personal-data-1280.png")
    page.get_by_role("link", name="Supprimer mon compte").first.click()

    # A wrong confirmation is refused beside the field, with what was typed kept.
    page.get_by_label("Les conserver sous le nom « Ancien membre »", exact=False).check()
    page.get_by_label("Votre mot de passe").fill(factories.PASSWORD)
    page.get_by_label("Pour confirmer, tapez SUPPRIMER").fill("supprimé")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    assert page.get_by_text("Tapez exactement SUPPRIMER").is_visible()
    assert page.get_by_label("Pour confirmer, tapez SUPPRIMER").input_value() == "supprimé"
    page.set_viewport_size({"width": 320, "height": 800})
    _shot(page, "delete-error-320.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Votre mot de passe").fill(factories.PASSWORD)
    page.get_by_label("Pour confirmer, tapez SUPPRIMER").fill("SUPPRIMER")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    page.wait_for_url("**/compte/compte-supprime/")
    assert page.get_by_role("heading", name="Compte supprimé").is_visible()
    assert not User.objects.filter(username="cpartante").exists()
    assert "sessionid" not in {c["name"] for c in page.context.cookies()}

    page.goto(live_server.url + topic_url(topic))
    assert page.get_by_text("Ancien membre").first.is_visible()
    assert page.get_by_text("Avec des binômes.").is_visible()
    assert "Partante" not in page.content()
    _shot(page, "topic-former-member-1280.png")


def test_personal_data_page_names_the_cookies(page, live_server):
    from kb.structure import ensure_site_structure

    ensure_site_structure()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/donnees-personnelles/")
    assert page.get_by_role("heading", name="Cookies").is_visible()
    for cookie in ("sessionid", "csrftoken", "messages"):
        assert page.locator("code", has_text=cookie).is_visible()
    assert page.get_by_role("link", name="CNIL").is_visible()
    _shot(page, "privacy-page-320.png")
    # An anonymous reading of the page sets no cookie at all.
    assert page.context.cookies() == []
