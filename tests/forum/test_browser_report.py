"""In a real Chromium: a member reports a post, the domain officer resolves it from the workbench."""

import pytest

from forum.community.models import ModerationAction, PostReport
from tests import factories
from tests.forum.world import Post, build_world, topic_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_member_reports_and_officer_hides_the_post(page, live_server):
    world = build_world()
    offending = Post.objects.create(
        topic=world.public_topic, poster=world.staff_b, subject="Re", content="Voici le NIR de M. X"
    )
    sign_in(page, live_server, "agent-a")
    page.goto(live_server.url + topic_url(world.public_topic))
    page.get_by_role("link", name=f"Signaler le message n° {offending.pk}").click()
    page.get_by_label("Données personnelles exposées").check()
    page.get_by_label("Précisions (facultatif)").fill("Numéro de sécurité sociale en clair")
    page.get_by_role("button", name="Envoyer le signalement").click()
    assert page.get_by_text("les modérateurs du forum sont prévenus").is_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, "charge-rh")
    page.goto(live_server.url + "/forum/espace-moderation/")
    reports = page.get_by_role("region", name="Signalements ouverts")
    reports.get_by_role("link", name="Paie à distance").click()
    assert page.get_by_text("Numéro de sécurité sociale en clair").is_visible()
    page.get_by_label("Masquer le message").check()
    page.get_by_label("Note (visible des modérateurs)").fill("Donnée personnelle retirée")
    page.get_by_role("button", name="Valider la décision").click()
    page.wait_for_url("**/espace-moderation/")
    assert page.get_by_text("Le signalement est traité").is_visible()
    assert page.get_by_text("Donnée personnelle retirée").is_visible()  # in the recent log

    page.goto(live_server.url + topic_url(world.public_topic))
    assert page.get_by_text("Voici le NIR de M. X").count() == 0
    report = PostReport.objects.get()
    assert report.status == "resolved" and report.resolved_by == world.officer_rh
    assert ModerationAction.objects.filter(kind="hide", note="Donnée personnelle retirée").exists()
