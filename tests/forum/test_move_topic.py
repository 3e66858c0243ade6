"""Moving a topic requires a reason, recorded in the moderation log with both forums."""

import pytest
from django.urls import reverse

from accounts import roles
from forum.community.models import ModerationAction
from forum.forum_moderation.forms import REASON_REQUIRED
from tests.forum.world import Forum, Topic, build_world, topic_url


@pytest.fixture
def world(db):
    world = build_world()
    world.rh_other = Forum.objects.create(
        name="Forum RH bis", type=Forum.FORUM_POST, parent=world.rh_forum.parent
    )
    roles.sync_domain_permissions(world.rh)
    return world


def move_url(topic):
    return reverse("forum_moderation:topic_move", kwargs={"slug": topic.slug, "pk": topic.pk})


def test_domain_officer_moves_a_topic_with_a_reason_and_it_is_logged(client_for, world):
    client = client_for(world.officer_rh)
    page = client.get(move_url(world.public_topic))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Déplacer le sujet</h1>" in html
    assert "Motif du déplacement (consigné dans le journal de modération)" in html
    # The topic's own forum is listed but cannot be chosen (machina's widget mangled it).
    assert f'<option value="{world.rh_forum.pk}" disabled>' in html
    assert 'value="label"' not in html and 'value="disabled"' not in html
    response = client.post(
        move_url(world.public_topic),
        {"forum": world.rh_other.pk, "motif": "Sujet de paie, pas d'absences"},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(pk=world.public_topic.pk)
    assert topic.forum == world.rh_other
    entry = ModerationAction.objects.get(kind=ModerationAction.Kind.MOVE)
    assert entry.actor == world.officer_rh
    assert entry.topic == topic
    assert entry.note == "Forum RH → Forum RH bis. Sujet de paie, pas d'absences"
    # The log shows it to the domain's moderators.
    log = client.get(reverse("forum_community:log")).content.decode()
    assert "Sujet de paie, pas d&#x27;absences" in log or "Sujet de paie, pas d'absences" in log
    # Readers find the topic in its new forum.
    assert client_for(None).get(topic_url(topic)).status_code == 200


@pytest.mark.parametrize("motif", ["", "   "])
def test_empty_reason_is_refused_clearly_and_the_form_is_kept(client_for, world, motif):
    client = client_for(world.officer_rh)
    response = client.post(
        move_url(world.public_topic), {"forum": world.rh_other.pk, "motif": motif}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert REASON_REQUIRED.replace("'", "&#x27;") in html or REASON_REQUIRED in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    # The chosen forum is still selected.
    assert f'value="{world.rh_other.pk}" selected' in html
    assert Topic.objects.get(pk=world.public_topic.pk).forum == world.rh_forum
    assert not ModerationAction.objects.filter(kind=ModerationAction.Kind.MOVE).exists()


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "officer_secu"])
def test_non_moderators_cannot_move(client_for, world, who):
    client = client_for(getattr(world, who))
    assert client.get(move_url(world.public_topic)).status_code == 403
    response = client.post(
        move_url(world.public_topic), {"forum": world.rh_other.pk, "motif": "Je déplace"}
    )
    assert response.status_code == 403
    assert Topic.objects.get(pk=world.public_topic.pk).forum == world.rh_forum
    assert not ModerationAction.objects.filter(kind=ModerationAction.Kind.MOVE).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client_for, world):
    response = client_for(None).post(
        move_url(world.public_topic), {"forum": world.rh_other.pk, "motif": "Je déplace"}
    )
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]
    assert Topic.objects.get(pk=world.public_topic.pk).forum == world.rh_forum


def test_officer_cannot_move_a_topic_into_another_domain(client_for, world):
    response = client_for(world.officer_rh).post(
        move_url(world.public_topic), {"forum": world.secu_forum.pk, "motif": "Ailleurs"}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert Topic.objects.get(pk=world.public_topic.pk).forum == world.rh_forum
