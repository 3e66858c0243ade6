"""The forum as each role sees it, through the test client."""

import re

import pytest
from django.urls import reverse
from machina.core.db.models import get_model

from accounts import roles
from tests import factories

Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")


@pytest.fixture
def world(db):
    rh, rh_forum = factories.make_domain_with_forum("RH")
    secu, secu_forum = factories.make_domain_with_forum("Sécurité SI")
    author = factories.make_user(roles.STAFF)
    return {
        "rh": rh,
        "rh_forum": rh_forum,
        "rh_topic": factories.make_topic(rh_forum, author, subject="Paie à distance"),
        "secu": secu,
        "secu_forum": secu_forum,
        "secu_topic": factories.make_topic(secu_forum, author, subject="Correctif VPN"),
        "author": author,
    }


FORMSETS = {
    "poll-TOTAL_FORMS": 0,
    "poll-INITIAL_FORMS": 0,
    "poll-MIN_NUM_FORMS": 0,
    "poll-MAX_NUM_FORMS": 30,
    "attachment-TOTAL_FORMS": 0,
    "attachment-INITIAL_FORMS": 0,
    "attachment-MIN_NUM_FORMS": 0,
    "attachment-MAX_NUM_FORMS": 15,
}


def topic_url(topic):
    return reverse(
        "forum_conversation:topic",
        kwargs={
            "forum_slug": topic.forum.slug,
            "forum_pk": topic.forum.pk,
            "slug": topic.slug,
            "pk": topic.pk,
        },
    )


def reply_url(topic):
    return reverse(
        "forum_conversation:post_create",
        kwargs={
            "forum_slug": topic.forum.slug,
            "forum_pk": topic.forum.pk,
            "topic_slug": topic.slug,
            "topic_pk": topic.pk,
        },
    )


def lock_url(topic):
    return reverse("forum_moderation:topic_lock", kwargs={"slug": topic.slug, "pk": topic.pk})


def new_topic_url(forum):
    return reverse(
        "forum_conversation:topic_create", kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk}
    )


def test_anonymous_reads_a_public_forum_but_cannot_post(client, world):
    topic = world["rh_topic"]
    assert client.get(reverse("forum:index")).status_code == 200
    response = client.get(topic_url(topic))
    assert response.status_code == 200
    assert "Paie à distance" in response.content.decode()

    refused = client.post(reply_url(topic), {"subject": "Re", "content": "Anonyme", **FORMSETS})
    assert refused.status_code == 302
    assert refused["Location"].startswith("/compte/connexion/")
    assert not Post.objects.filter(content="Anonyme").exists()


def test_signed_in_user_without_role_reads_but_cannot_post(client_for, world):
    nobody = factories.make_user(role=None)
    client = client_for(nobody)
    assert client.get(topic_url(world["rh_topic"])).status_code == 200
    response = client.post(
        reply_url(world["rh_topic"]), {"subject": "Re", "content": "Sans rôle", **FORMSETS}
    )
    assert response.status_code == 403
    assert not Post.objects.filter(content="Sans rôle").exists()


def test_establishment_staff_starts_topics_and_replies(client_for, world, staff_user):
    client = client_for(staff_user)
    response = client.post(
        new_topic_url(world["rh_forum"]),
        {
            "subject": "Calendrier de paie",
            "content": "Quelles dates limites ?",
            "topic_type": 0,
            **FORMSETS,
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(subject="Calendrier de paie")
    assert topic.poster == staff_user
    assert topic.approved

    response = client.post(
        reply_url(world["rh_topic"]),
        {"subject": "Re: Paie", "content": "Nous faisons des binômes.", **FORMSETS},
    )
    assert response.status_code == 302
    assert Post.objects.filter(
        topic=world["rh_topic"], content="Nous faisons des binômes."
    ).exists()


def test_staff_cannot_moderate(client_for, world, staff_user):
    client = client_for(staff_user)
    assert client.post(lock_url(world["rh_topic"])).status_code == 403
    world["rh_topic"].refresh_from_db()
    assert world["rh_topic"].status == Topic.TOPIC_UNLOCKED


def test_domain_officer_moderates_their_domain_and_is_refused_elsewhere(client_for, world):
    officer = factories.make_officer(world["rh"])
    client = client_for(officer)

    assert client.get(lock_url(world["rh_topic"])).status_code == 200
    assert client.post(lock_url(world["rh_topic"])).status_code == 302
    world["rh_topic"].refresh_from_db()
    assert world["rh_topic"].status == Topic.TOPIC_LOCKED

    assert client.get(lock_url(world["secu_topic"])).status_code == 403
    assert client.post(lock_url(world["secu_topic"])).status_code == 403
    world["secu_topic"].refresh_from_db()
    assert world["secu_topic"].status == Topic.TOPIC_UNLOCKED

    # Officers take part everywhere like any staff member.
    response = client.post(
        reply_url(world["secu_topic"]), {"subject": "Re", "content": "Vu.", **FORMSETS}
    )
    assert response.status_code == 302


def test_officer_rights_follow_new_forums_of_the_domain_after_sync(client_for, world):
    from machina.core.db.models import get_model

    Forum = get_model("forum", "Forum")
    officer = factories.make_officer(world["rh"])
    new_forum = Forum.objects.create(name="PMS", type=Forum.FORUM_POST, parent=world["rh"].forum)
    topic = factories.make_topic(new_forum, world["author"], subject="Prévision")
    roles.sync_domain_permissions(world["rh"])
    assert client_for(officer).post(lock_url(topic)).status_code == 302


def test_officer_loses_rights_on_a_forum_moved_out_of_the_domain(client_for, world):
    officer = factories.make_officer(world["rh"])
    forum = world["rh_forum"]
    forum.parent = world["secu"].forum
    forum.save()
    roles.sync_domain_permissions(world["rh"])
    assert client_for(officer).post(lock_url(world["rh_topic"])).status_code == 403


@pytest.mark.parametrize("role", [roles.EDITOR, roles.ADMINISTRATOR])
def test_editors_and_administrators_moderate_everywhere(client_for, world, role):
    client = client_for(factories.make_user(role))
    for key in ("rh_topic", "secu_topic"):
        assert client.post(lock_url(world[key])).status_code == 302
        world[key].refresh_from_db()
        assert world[key].status == Topic.TOPIC_LOCKED


def test_hostile_post_is_stored_as_written_and_rendered_inert(client_for, world, staff_user):
    hostile = (
        '<script>alert("x")</script> <img src=x onerror=alert(1)> '
        '[lien](javascript:alert(1)) <a href="jav&#x61;script:alert(1)">b</a> **gras**'
    )
    client = client_for(staff_user)
    client.post(reply_url(world["rh_topic"]), {"subject": "Re", "content": hostile, **FORMSETS})
    post = Post.objects.get(topic=world["rh_topic"], poster=staff_user)
    assert post.content.raw == hostile
    html = client.get(topic_url(world["rh_topic"])).content.decode()
    assert "<strong>gras</strong>" in html
    assert '<script>alert("x")</script>' not in html
    assert re.search(r"<img[^>]*onerror", html) is None
    assert 'href="javascript' not in html.lower()
    assert "&lt;script&gt;" in html
