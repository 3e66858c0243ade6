"""Officers own every unanswered topic: assignment by a moderator or in turn, "no answer needed",
the workbench, the weekly summary and a domain's median time to first answer."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from forum.community import assignment
from forum.community.models import ModerationAction, TopicAssignment
from outbox.models import Message
from tests import factories
from tests.forum.world import build_world, topic_url


@pytest.fixture
def world(db):
    return build_world()


def age(topic, days):
    """Make ``topic`` (and its first post) ``days`` days old."""
    opened = timezone.now() - datetime.timedelta(days=days)
    factories.Topic.objects.filter(pk=topic.pk).update(created=opened)
    factories.Post.objects.filter(topic=topic).update(created=opened)
    topic.refresh_from_db()
    return topic


def assign_url(topic):
    return reverse("forum_community:assign_topic", args=[topic.pk])


def no_answer_url(topic):
    return reverse("forum_community:no_answer", args=[topic.pk])


def unanswered_section(client):
    html = client.get("/forum/espace-moderation/").content.decode()
    return html[html.index('id="workbench-unanswered"') : html.index('id="workbench-log"')]


def question(world, subject="Question sans réponse", days=5, forum=None):
    topic = factories.make_topic(forum or world.rh_forum, world.staff_a, subject=subject)
    return age(topic, days)


def test_a_moderator_assigns_to_an_officer_of_the_domain_and_it_is_logged_and_shown(
    client_for, world
):
    topic = question(world)
    officer = client_for(world.officer_rh)
    page = officer.get(assign_url(topic))
    assert page.status_code == 200
    assert world.officer_rh.get_full_name() in page.content.decode()
    # The other domain's officer is not offered.
    assert world.officer_secu.get_full_name() not in page.content.decode()

    response = officer.post(
        assign_url(topic), {"officer": world.officer_rh.pk, "note": "Je prends"}
    )
    assert response.status_code == 302
    current = TopicAssignment.objects.get(topic=topic)
    assert (current.officer, current.assigned_by, current.automatic) == (
        world.officer_rh,
        world.officer_rh,
        False,
    )
    entry = ModerationAction.objects.get(kind=ModerationAction.Kind.ASSIGN)
    assert entry.topic == topic and "Je prends" in entry.note
    # Taking a topic for oneself sends no email.
    assert not Message.objects.filter(to=world.officer_rh.email).exists()

    html = client_for(world.staff_b).get(topic_url(topic)).content.decode()
    assert f"Suivi par {world.officer_rh.get_full_name()}" in html


def test_members_and_other_domains_officers_cannot_assign(client_for, world):
    topic = question(world)
    for person in (world.staff_a, world.staff_b, world.officer_secu):
        client = client_for(person)
        assert client.get(assign_url(topic)).status_code == 403
        assert client.post(assign_url(topic), {"officer": world.officer_rh.pk}).status_code == 403
    assert client_for(None).get(assign_url(topic)).status_code == 302  # to sign-in
    assert not TopicAssignment.objects.exists()
    # The topic page offers no assignment link to them, but does to the moderator.
    assert (
        "Attribuer le sujet" not in client_for(world.staff_a).get(topic_url(topic)).content.decode()
    )
    assert (
        "Attribuer le sujet" in client_for(world.officer_rh).get(topic_url(topic)).content.decode()
    )


def test_a_private_forum_topic_is_a_404_for_outsiders(client_for, world):
    response = client_for(world.officer_rh).get(assign_url(world.private_topic))
    missing = client_for(world.officer_rh).get(
        reverse("forum_community:assign_topic", args=[999999])
    )
    assert response.status_code == missing.status_code == 404


def test_someone_outside_the_domain_is_refused_with_a_message_keeping_the_note(client_for, world):
    topic = question(world)
    response = client_for(world.editor).post(
        assign_url(topic), {"officer": world.officer_secu.pk, "note": "Note à garder"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choisissez un(e) chargé(e) du domaine de ce forum." in html
    assert "Note à garder" in html
    assert not TopicAssignment.objects.exists()
    empty = client_for(world.editor).post(assign_url(topic), {"officer": "", "note": "x"})
    assert "Choisissez la personne qui répondra." in empty.content.decode()


def test_reassignment_emails_the_new_officer_and_logs_both_names(client_for, world):
    second = factories.make_officer(world.rh, username="charge-rh-2")
    topic = question(world)
    editor = client_for(world.editor)
    editor.post(assign_url(topic), {"officer": world.officer_rh.pk})
    editor.post(assign_url(topic), {"officer": second.pk, "note": "Congés"})
    current = TopicAssignment.objects.get(topic=topic)
    assert current.officer == second
    notes = list(
        ModerationAction.objects.filter(kind=ModerationAction.Kind.ASSIGN)
        .order_by("created_at", "id")
        .values_list("note", flat=True)
    )
    assert len(notes) == 2
    assert world.officer_rh.get_full_name() in notes[1] and second.get_full_name() in notes[1]
    mail = Message.objects.get(to=second.email)
    assert topic.subject in mail.subject
    assert topic_url(topic) in mail.body_text
    assert Message.objects.filter(to=world.officer_rh.email).count() == 1


def test_no_answer_needed_requires_a_reason_and_takes_the_topic_off_the_lists(client_for, world):
    topic = question(world, subject="Annonce : maintenance")
    officer = client_for(world.officer_rh)
    refused = officer.post(no_answer_url(topic), {"note": "   "})
    assert refused.status_code == 200
    assert "Indiquez pourquoi" in refused.content.decode()
    assert "Annonce : maintenance" in unanswered_section(officer)

    assert officer.post(no_answer_url(topic), {"note": "Simple annonce"}).status_code == 302
    assert TopicAssignment.objects.get(topic=topic).state == TopicAssignment.State.NO_ANSWER_NEEDED
    assert ModerationAction.objects.filter(kind=ModerationAction.Kind.NO_ANSWER).exists()
    assert "Annonce : maintenance" not in unanswered_section(officer)
    assert assignment.auto_assign() == []
    # A member cannot do it.
    other = question(world, subject="Autre question")
    assert client_for(world.staff_a).post(no_answer_url(other), {"note": "x"}).status_code == 403


def test_auto_assign_goes_round_robin_and_is_idempotent(world):
    second = factories.make_officer(world.rh, username="charge-rh-2")
    topics = [question(world, subject=f"Question {i}", days=5 + i) for i in range(4)]
    recent = question(world, subject="Trop récente", days=1)
    done = assignment.auto_assign(days=3)
    assert {topic.pk for topic, _officer in done} == {t.pk for t in topics}
    owners = [TopicAssignment.objects.get(topic=t).officer for t in topics]
    assert owners.count(world.officer_rh) == owners.count(second) == 2
    assert all(a.automatic for a in TopicAssignment.objects.all())
    assert not TopicAssignment.objects.filter(topic=recent).exists()
    # The officers are emailed; a second run changes nothing and sends nothing.
    assert Message.objects.filter(to__in=[world.officer_rh.email, second.email]).count() == 4
    assert assignment.auto_assign(days=3) == []
    assert Message.objects.count() == 4


def test_auto_assign_reassigns_when_the_officer_left_the_domain(world):
    second = factories.make_officer(world.rh, username="charge-rh-2")
    topic = question(world)
    assignment.assign(topic, world.officer_rh, actor=world.editor)
    world.officer_rh.groups.remove(world.rh.officer_group)
    done = assignment.auto_assign(days=3)
    assert [(t.pk, o.pk) for t, o in done] == [(topic.pk, second.pk)]


def test_answered_topics_are_not_assigned(world):
    topic = factories.make_topic(world.rh_forum, world.staff_a, subject="Répondu", replies=1)
    age(topic, 10)
    assert assignment.auto_assign(days=3) == []


def test_workbench_shows_age_and_own_assignments_first(client_for, world):
    second = factories.make_officer(world.rh, username="charge-rh-2")
    oldest = question(world, subject="La plus ancienne", days=9)
    mine = question(world, subject="Celle qui me revient", days=4)
    assignment.assign(oldest, second, actor=world.editor)
    assignment.assign(mine, world.officer_rh, actor=world.editor)
    html = unanswered_section(client_for(world.officer_rh))
    assert html.index("Celle qui me revient") < html.index("La plus ancienne")
    assert "Vous est attribué" in html
    assert f"Suivi par {second.get_full_name()}" in html
    assert "en attente depuis 4\xa0jours" in html


def test_weekly_summary_once_per_week_only_to_officers_with_something_to_do(world):
    mine = question(world, subject="Sujet attribué")
    question(world, subject="Sujet libre")
    assignment.assign(mine, world.officer_rh, actor=world.editor, notify=False)
    assert assignment.send_weekly_summaries() == 1
    mail = Message.objects.get(to=world.officer_rh.email)
    assert "Sujet attribué" in mail.body_text and "Sujet libre" in mail.body_text
    assert mail.body_text.index("Sujet attribué") < mail.body_text.index("Sujet libre")
    # The security officer has nothing unanswered: no email. The private topic never shows.
    assert not Message.objects.filter(to=world.officer_secu.email).exists()
    assert "Incident confidentiel" not in mail.body_text
    assert assignment.send_weekly_summaries() == 0
    call_command("send_officer_summaries")
    assert Message.objects.filter(to=world.officer_rh.email).count() == 1


def test_domain_page_shows_the_median_time_to_first_answer(client, site_tree, world):
    for hours in (1, 3, 8):
        topic = factories.make_topic(world.secu_forum, world.staff_a, subject=f"Q{hours}")
        age(topic, 2)
        factories.Post.objects.create(
            topic=topic, poster=world.officer_secu, subject="Re", content="Réponse"
        )
        factories.Post.objects.filter(topic=topic).exclude(pk=topic.first_post_id).update(
            created=topic.created + datetime.timedelta(hours=hours)
        )
    stats = assignment.first_answer_stats(world.secu)
    assert stats["median"] == datetime.timedelta(hours=3)
    assert stats["answered"] == 3
    html = client.get(f"/guides/domaine/{world.secu.slug}/").content.decode()
    assert "délai médian de première réponse 3 h" in html
    # A domain without any answered topic says nothing.
    finances, _forum = factories.make_domain_with_forum("Finances")
    html = client.get(f"/guides/domaine/{finances.slug}/").content.decode()
    assert "délai médian" not in html


def test_assign_command_reports_what_it_did(world, capsys):
    question(world, subject="Question du jour", days=6)
    call_command("assign_unanswered_topics", "--jours", "3")
    out = capsys.readouterr().out
    assert "« Question du jour » →" in out and "Sujets attribués : 1" in out
