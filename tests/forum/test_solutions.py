"""Accepted answers: who may mark one, where it shows, the solved / unsolved filter."""

import pytest
from django.urls import reverse

from forum.community.models import TopicSolution
from forum.community.solutions import is_solved
from tests import factories
from tests.forum.world import build_world, forum_url, topic_url


@pytest.fixture
def world(db):
    return build_world()


def mark(client, topic, post):
    return client.post(reverse("forum_community:mark_solution", args=[topic.pk, post.pk]))


def test_topic_author_marks_a_reply_and_it_shows_after_the_question(client_for, world):
    topic = world.public_topic  # author: staff_b
    answer = factories.Post.objects.create(
        topic=topic, poster=world.staff_a, subject="Re", content="La réponse qui marche"
    )
    assert mark(client_for(world.staff_b), topic, answer).status_code == 302
    assert is_solved(topic)
    html = client_for(None).get(topic_url(topic)).content.decode()
    assert "Solution retenue" in html
    assert html.index("Solution retenue") < html.index("Comment faites-vous") + 2000
    assert html.index("Comment faites-vous") < html.index("Solution retenue")
    listing = client_for(None).get(forum_url(world.rh_forum)).content.decode()
    assert "Résolu" in listing


def test_other_members_cannot_mark_but_the_forum_moderator_can(client_for, world):
    topic = world.public_topic
    answer = topic.last_post
    assert mark(client_for(world.staff_a), topic, answer).status_code == 403
    assert mark(client_for(world.officer_secu), topic, answer).status_code == 403
    assert not TopicSolution.objects.exists()
    assert mark(client_for(world.officer_rh), topic, answer).status_code == 302
    solution = TopicSolution.objects.get()
    assert (solution.post, solution.marked_by) == (answer, world.officer_rh)


def test_the_question_itself_is_not_a_solution(client_for, world):
    topic = world.public_topic
    mark(client_for(world.staff_b), topic, topic.first_post)
    assert not TopicSolution.objects.exists()


def test_unmark_and_filter(client_for, world):
    solved = world.public_topic
    factories.make_topic(world.rh_forum, world.staff_b, subject="Toujours ouvert", replies=1)
    mark(client_for(world.staff_b), solved, solved.last_post)
    client = client_for(None)
    only_solved = client.get(forum_url(world.rh_forum) + "?etat=resolus").content.decode()
    assert "Paie à distance" in only_solved and "Toujours ouvert" not in only_solved
    unsolved = client.get(forum_url(world.rh_forum) + "?etat=non-resolus").content.decode()
    assert "Paie à distance" not in unsolved and "Toujours ouvert" in unsolved
    client_for(world.staff_b).post(reverse("forum_community:unmark_solution", args=[solved.pk]))
    assert not is_solved(solved)


def test_solution_in_a_private_forum_is_a_404_for_outsiders(client_for, world):
    topic = world.private_topic
    assert mark(client_for(world.staff_b), topic, topic.first_post).status_code == 404
