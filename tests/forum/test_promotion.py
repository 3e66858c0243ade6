"""From discussion to guide, and "Discuter de cette pratique" on practice pages."""

import pytest
from django.urls import reverse

from forum.community.models import ModerationAction, PracticeDiscussion
from kb.models import PracticePage
from tests import factories
from tests.forum.world import Post, build_world, topic_url


@pytest.fixture
def world(site_tree):
    world = build_world()
    world.tree = site_tree
    return world


def promote(client, topic):
    return client.post(reverse("forum_community:promote", args=[topic.pk]))


def test_officer_turns_a_topic_into_a_draft_practice(client_for, world):
    topic = world.public_topic
    Post.objects.create(
        topic=topic, poster=world.staff_a, subject="Re",
        content='Voici **notre** méthode <script>alert(1)</script>',
    )  # fmt: skip
    response = promote(client_for(world.officer_rh), topic)
    assert response.status_code == 302
    link = PracticeDiscussion.objects.get(topic=topic)
    page = PracticePage.objects.get(pk=link.page_id)
    assert not page.live and page.title == "Paie à distance"
    body = str(page.body)
    assert "<b>notre</b>" in body or "<strong>notre</strong>" in body
    assert "<script" not in body
    assert "Université A" in body and "Université B" in body
    assert page.domain == world.rh
    assert ModerationAction.objects.filter(kind="promote", topic=topic).exists()
    # Linked both ways: the topic shows the draft to moderators.
    html = client_for(world.officer_rh).get(topic_url(topic)).content.decode()
    assert "Brouillon de bonne pratique" in html
    # Twice: nothing more.
    promote(client_for(world.officer_rh), topic)
    assert PracticeDiscussion.objects.count() == 1


def test_members_and_other_officers_cannot_promote(client_for, world):
    assert promote(client_for(world.staff_b), world.public_topic).status_code == 403
    assert promote(client_for(world.officer_secu), world.public_topic).status_code == 403
    assert promote(client_for(world.officer_rh), world.private_topic).status_code == 404
    assert not PracticeDiscussion.objects.exists()


def test_discuss_a_practice_opens_one_topic_in_its_domain_forum(client_for, world):
    practice = factories.make_practice(world.tree.guides, title="Paie en binôme", domain=world.rh)
    url = reverse("forum_community:discuss_practice", args=[practice.pk])
    response = client_for(world.staff_a).post(url)
    link = PracticeDiscussion.objects.get(page=practice)
    assert response.status_code == 302 and response["Location"] == topic_url(link.topic)
    assert link.topic.forum == world.rh_forum
    client_for(world.staff_b).post(url)
    assert PracticeDiscussion.objects.count() == 1
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.staff_b
    html = Template('{% include "forum/includes/discuss_practice.html" %}').render(
        Context({"page": practice, "request": request})
    )
    assert "Rejoindre la discussion" in html and topic_url(link.topic) in html
