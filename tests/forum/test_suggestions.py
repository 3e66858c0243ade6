"""Questions find their answers: similar topics (solved first) and guide pages while a new topic's
title is written, permission-aware, and a confirmation step without JavaScript."""

import pytest
from django.urls import reverse

from forum.community.models import TopicSolution
from forum.community.suggestions import similar
from search.indexing import sync_topic
from tests import factories
from tests.forum.world import FORMSETS, build_world


@pytest.fixture
def world(site_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world()
        world.vpn = factories.make_topic(
            world.rh_forum,
            world.staff_b,
            subject="Dimensionner le VPN pour le télétravail",
            content="Combien de connexions simultanées prévoir ?",
            replies=1,
        )
        world.vpn_open = factories.make_topic(
            world.rh_forum,
            world.staff_a,
            subject="Le VPN coupe en télétravail",
            content="Les connexions VPN tombent après une heure.",
        )
        world.secret = factories.make_topic(
            world.private_forum,
            world.staff_a,
            subject="VPN compromis en télétravail",
            content="Indicateurs de compromission du VPN.",
        )
        factories.make_practice(
            site_tree.guides,
            title="Ouvrir un VPN pour le télétravail",
            intro="Dimensionner et sécuriser le VPN des agents.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        TopicSolution.objects.create(
            topic=world.vpn, post=world.vpn.last_post, marked_by=world.staff_b
        )
        sync_topic(world.vpn.pk, force=True)  # as marking a solution does after commit
    return world


def new_topic_url(forum):
    return reverse("forum_conversation:topic_create", args=[forum.slug, forum.pk])


def test_similar_topics_solved_first_then_guide_pages(world):
    found = similar("VPN en télétravail : combien de connexions ?", world.staff_b)
    subjects = [item["topic"].subject for item in found.topics]
    assert set(subjects) >= {world.vpn.subject, world.vpn_open.subject}
    assert subjects.index(world.vpn.subject) < subjects.index(world.vpn_open.subject)
    assert found.topics[subjects.index(world.vpn.subject)]["solved"]
    assert [page["title"] for page in found.pages] == ["Ouvrir un VPN pour le télétravail"]


def test_a_private_forum_topic_is_suggested_only_to_its_members(world):
    outsider = [i["topic"].subject for i in similar("VPN télétravail", world.staff_b).topics]
    member = [i["topic"].subject for i in similar("VPN télétravail", world.staff_a).topics]
    assert world.secret.subject not in outsider
    assert world.secret.subject in member


def test_short_or_unrelated_titles_suggest_nothing(world):
    assert not similar("VPN", world.staff_b)
    assert not similar("Cantine du restaurant universitaire", world.staff_b)


def test_the_fragment_endpoint_answers_for_the_live_region(client_for, world):
    url = reverse("forum_community:topic_suggestions")
    response = client_for(world.staff_b).get(url, {"titre": "VPN télétravail connexions"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert world.vpn.subject in html and "Résolu" in html
    assert world.secret.subject not in html
    empty = client_for(world.staff_b).get(url, {"titre": "\x00" * 500})
    assert empty.status_code == 200 and "<li>" not in empty.content.decode()


def test_without_javascript_a_confirmation_step_keeps_what_was_written(client_for, world):
    client = client_for(world.staff_b)
    data = {
        "subject": "Quel VPN pour le télétravail ?",
        "content": "Mon texte à ne pas perdre",
        **FORMSETS,
    }
    step = client.post(new_topic_url(world.rh_forum), data)
    assert step.status_code == 200
    html = step.content.decode()
    assert world.vpn.subject in html
    assert "Mon texte à ne pas perdre" in html
    assert 'name="suggestions_vues"' in html
    count = factories.Topic.objects.count()
    published = client.post(new_topic_url(world.rh_forum), {**data, "suggestions_vues": "1"})
    assert published.status_code == 302
    assert factories.Topic.objects.count() == count + 1


def test_a_title_without_neighbours_is_published_at_once(client_for, world):
    data = {"subject": "Restauration collective et marchés", "content": "Texte", **FORMSETS}
    response = client_for(world.staff_b).post(new_topic_url(world.rh_forum), data)
    assert response.status_code == 302
