"""A person's first visit, in a real headless Chromium: read a guide, sign in, reply in the forum."""

import pytest

from accounts import roles
from kb.structure import ensure_site_structure
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    tree = ensure_site_structure()
    guide = factories.make_guide(
        tree.guides,
        title="Guide du télétravail",
        featured=True,
        intro="Travailler à distance dans les établissements.",
    )
    factories.make_practice(
        guide,
        title="Accéder au SI par le VPN",
        body=[{"type": "rich_text", "value": "<h2>Un VPN dimensionné</h2>"}],
    )
    _domain, forum = factories.make_domain_with_forum("Télétravail")
    author = factories.make_user(roles.STAFF)
    topic = factories.make_topic(
        forum, author, subject="Dimensionner le VPN", content="Combien de connexions simultanées ?"
    )
    reader = factories.make_user(
        roles.STAFF, username="camille", first_name="Camille", last_name="Martin"
    )
    return {"guide": guide, "topic": topic, "reader": reader}


def test_home_guide_sign_in_and_reply(page, live_server, world):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("main#contenu h1").count() == 1

    # The skip link is the first thing the keyboard reaches, and it is visible when focused.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Guides"
    ).click()
    page.get_by_role("link", name="Guide du télétravail").first.click()
    page.get_by_role("link", name="Accéder au SI par le VPN").click()
    assert page.get_by_role("heading", level=2, name="Un VPN dimensionné").is_visible()

    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Back where the person was, now signed in.
    assert page.get_by_role("heading", level=1, name="Accéder au SI par le VPN").is_visible()
    assert page.get_by_text("Camille Martin").is_visible()

    topic = world["topic"]
    page.goto(
        f"{live_server.url}/forum/forum/{topic.forum.slug}-{topic.forum.pk}/topic/"
        f"{topic.slug}-{topic.pk}/post/create/"
    )
    page.locator("textarea[name=content]").fill("Nous avons prévu **2 000** connexions.")
    page.locator("form [type=submit]").last.click()
    page.wait_for_url("**/topic/**")
    assert page.locator("strong", has_text="2 000").first.is_visible()
    assert page.get_by_text("Combien de connexions simultanées ?").is_visible()
