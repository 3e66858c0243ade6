"""In a real Chromium: similar topics appear in a polite live region while the title is typed,
are reached with the keyboard, and the topic is then published without a confirmation step."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from forum.community.models import TopicSolution
from search.indexing import sync_topic
from tests import factories
from tests.forum.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, live_server, user):
    """Give the browser the session of ``user`` (the sign-in form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_suggestions_while_typing_the_title(page, live_server, site_tree):
    world = build_world()
    solved = factories.make_topic(
        world.rh_forum,
        world.staff_a,
        subject="Dimensionner le VPN pour le télétravail",
        content="Combien de connexions simultanées ?",
        replies=1,
    )
    TopicSolution.objects.create(topic=solved, post=solved.last_post, marked_by=world.staff_a)
    sync_topic(solved.pk, force=True)
    signed_in(page, live_server, world.staff_b)
    page.goto(
        live_server.url
        + reverse("forum_conversation:topic_create", args=[world.rh_forum.slug, world.rh_forum.pk])
    )
    region = page.locator("#topic-suggestions")
    assert region.get_attribute("aria-live") == "polite"
    title = page.locator("input[name='subject']")
    title.focus()
    page.keyboard.type("Quel VPN pour le télétravail ?", delay=20)
    link = region.get_by_role("link", name="Dimensionner le VPN pour le télétravail")
    link.wait_for()
    assert region.get_by_text("Résolu").is_visible()
    # The suggestions follow the title in the tab order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == solved.subject

    page.locator("textarea[name='content']").fill("Nous avons 3 000 agents.")
    count = factories.Topic.objects.count()
    page.locator("form [type='submit']:not([name='preview'])").last.click()
    page.wait_for_load_state()
    assert factories.Topic.objects.count() == count + 1
    assert page.get_by_role("heading", level=1, name="Quel VPN pour le télétravail ?").is_visible()
