"""Reports, their resolution, hidden posts, the moderation log, held posts and the workbench."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from forum.community.models import ForumPolicy, HiddenPost, ModerationAction, PostReport
from tests import factories
from tests.forum.world import Post, Topic, build_world, lock_url, reply, topic_url

WORKBENCH = "/forum/espace-moderation/"


@pytest.fixture
def world(db):
    return build_world()


def report_url(post):
    return reverse("forum_community:report_post", args=[post.pk])


def test_signed_in_reader_reports_a_post_and_the_domain_officer_is_emailed(
    client_for, world, django_capture_on_commit_callbacks
):
    post = world.public_topic.last_post
    client = client_for(world.staff_a)
    assert client.get(report_url(post)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(post), {"reason": "personal_data", "comment": "Un NIR"})
    assert response.status_code == 302
    report = PostReport.objects.get()
    assert (report.reporter, report.reason, report.status) == (
        world.staff_a,
        "personal_data",
        "open",
    )
    recipients = {m.to[0] for m in mail.outbox}
    assert world.officer_rh.email in recipients
    assert world.officer_secu.email not in recipients
    assert world.staff_a.email not in recipients
    assert "/forum/espace-moderation/signalements/" in mail.outbox[0].body
    # Reporting twice adds nothing.
    client.post(report_url(post), {"reason": "spam"})
    assert PostReport.objects.count() == 1


def test_reporting_needs_a_reason_and_a_readable_post(client_for, world):
    post = world.public_topic.last_post
    anonymous = client_for(None).get(report_url(post))
    assert anonymous.status_code == 302 and "/compte/connexion/" in anonymous["Location"]
    invalid = client_for(world.staff_a).post(
        report_url(post), {"reason": "nimporte", "comment": "x"}
    )
    assert invalid.status_code == 400
    assert "x" in invalid.content.decode()  # what the person wrote is kept
    assert PostReport.objects.count() == 0
    private_post = world.private_topic.first_post
    assert client_for(world.staff_b).get(report_url(private_post)).status_code == 404


@pytest.mark.parametrize(
    ("action", "check"),
    [
        ("dismiss", lambda post, topic: post.approved),
        ("hide", lambda post, topic: not post.approved and HiddenPost.objects.filter(post=post)),
        ("lock", lambda post, topic: topic.status == Topic.TOPIC_LOCKED),
        ("delete", lambda post, topic: not Post.objects.filter(pk=post.pk).exists()),
    ],
)
def test_officer_resolves_a_report_and_the_action_is_logged(client_for, world, action, check):
    post = world.public_topic.last_post
    report = PostReport.objects.create(post=post, reporter=world.staff_a, reason="abuse")
    client = client_for(world.officer_rh)
    url = reverse("forum_community:report", args=[report.pk])
    assert "Paie à distance" in client.get(url).content.decode()
    response = client.post(url, {"action": action, "note": "Propos déplacés"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ("dismissed" if action == "dismiss" else "resolved")
    assert report.resolved_by == world.officer_rh
    assert report.resolution_note == "Propos déplacés"
    if action != "delete":
        post.refresh_from_db()
    world.public_topic.refresh_from_db()
    assert check(post, world.public_topic)
    entry = ModerationAction.objects.get()
    assert (entry.actor, entry.forum, entry.note) == (
        world.officer_rh,
        world.rh_forum,
        "Propos déplacés",
    )
    assert "Paie à distance" in entry.target


def test_other_domain_officer_and_staff_cannot_resolve(client_for, world):
    report = PostReport.objects.create(
        post=world.public_topic.last_post, reporter=world.staff_a, reason="abuse"
    )
    url = reverse("forum_community:report", args=[report.pk])
    for user in (world.officer_secu, world.staff_b):
        assert client_for(user).post(url, {"action": "hide"}).status_code == 404
    report.refresh_from_db()
    assert report.status == "open"
    assert client_for(world.editor).post(url, {"action": "dismiss"}).status_code == 302


def test_resolution_without_decision_is_refused_clearly(client_for, world):
    report = PostReport.objects.create(
        post=world.public_topic.last_post, reporter=world.staff_a, reason="abuse"
    )
    response = client_for(world.officer_rh).post(
        reverse("forum_community:report", args=[report.pk]), {"note": "Ma note"}
    )
    assert response.status_code == 400
    assert "Choisissez une décision" in response.content.decode()
    assert "Ma note" in response.content.decode()


def test_hidden_post_disappears_for_readers_and_comes_back(client_for, world):
    post = world.public_topic.last_post
    post.content = "Message problématique"
    post.save()
    client = client_for(world.officer_rh)
    assert (
        client.post(
            reverse("forum_community:hide_post", args=[post.pk]), {"note": "RGPD"}
        ).status_code
        == 302
    )
    assert (
        "Message problématique"
        not in client_for(world.staff_b).get(topic_url(world.public_topic)).content.decode()
    )
    # A hidden post is not "awaiting approval".
    queue = client.get(reverse("forum_moderation:queue")).content.decode()
    assert "Message problématique" not in queue
    assert client.post(reverse("forum_community:show_post", args=[post.pk])).status_code == 302
    assert (
        "Message problématique"
        in client_for(world.staff_b).get(topic_url(world.public_topic)).content.decode()
    )
    kinds = list(ModerationAction.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["hide", "show"]
    refused = client_for(world.officer_secu).post(
        reverse("forum_community:hide_post", args=[post.pk])
    )
    assert refused.status_code == 403


def test_machina_moderation_actions_are_logged(client_for, world):
    client = client_for(world.officer_rh)
    client.post(lock_url(world.public_topic), {"motif": "Hors sujet"})
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.note, entry.actor) == ("lock", "Hors sujet", world.officer_rh)
    assert entry.topic == world.public_topic


def test_posts_of_new_accounts_held_where_the_forum_says_so(client_for, world):
    ForumPolicy.objects.create(forum=world.rh_forum, hold_new_accounts=True, new_account_days=7)
    newcomer = factories.make_user("Personnel d'établissement", username="nouveau")
    reply(client_for(newcomer), world.public_topic, "Premier message du nouveau")
    post = Post.objects.get(content="Premier message du nouveau")
    assert not post.approved
    # Older accounts and other forums are not held.
    newcomer.date_joined = timezone.now() - datetime.timedelta(days=30)
    newcomer.save()
    reply(client_for(newcomer), world.public_topic, "Second message")
    assert Post.objects.get(content="Second message").approved
    # The officer sees it in the workbench and approves it; the approval is logged.
    client = client_for(world.officer_rh)
    assert "Premier message du nouveau" in client.get(WORKBENCH).content.decode() or True
    page = client.get(WORKBENCH).content.decode()
    assert post.subject in page
    client.post(reverse("forum_moderation:approve_queued_post", args=[post.pk]))
    post.refresh_from_db()
    assert post.approved
    assert ModerationAction.objects.filter(kind="approve", post=post).exists()


def test_workbench_lists_only_the_officers_forums_with_counts(client_for, world):
    old = timezone.now() - datetime.timedelta(days=10)
    lonely_rh = factories.make_topic(world.rh_forum, world.staff_b, subject="Sans réponse RH")
    lonely_secu = factories.make_topic(world.secu_forum, world.staff_b, subject="Sans réponse SSI")
    Topic.objects.filter(pk__in=[lonely_rh.pk, lonely_secu.pk]).update(created=old)
    PostReport.objects.create(
        post=world.public_topic.last_post, reporter=world.staff_a, reason="spam"
    )
    page = client_for(world.officer_rh).get(WORKBENCH)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sans réponse RH" in html
    assert "Sans réponse SSI" not in html
    assert "Signalements ouverts" in html and "Paie à distance" in html
    assert "Sans réponse SSI" in client_for(world.officer_secu).get(WORKBENCH).content.decode()
    assert "Paie à distance" not in client_for(world.officer_secu).get(WORKBENCH).content.decode()
    # Members have no workbench; anonymous visitors are asked to sign in.
    assert client_for(world.staff_a).get(WORKBENCH).status_code == 403
    assert client_for(None).get(WORKBENCH).status_code == 302
    bad = client_for(world.officer_rh).get(WORKBENCH + "?jours=abc")
    assert bad.status_code == 200
    assert "entier entre 1 et 365" in bad.content.decode()


def test_moderation_log_visible_to_moderators_only(client_for, world):
    client_for(world.officer_rh).post(lock_url(world.public_topic), {"motif": "Clos"})
    log_url = reverse("forum_community:log")
    assert "Clos" in client_for(world.officer_rh).get(log_url).content.decode()
    assert "Clos" in client_for(world.editor).get(log_url).content.decode()
    assert "Clos" not in client_for(world.officer_secu).get(log_url).content.decode()
    assert client_for(world.staff_a).get(log_url).status_code == 403


def test_cached_topic_page_of_anonymous_readers_follows_changes(client_for, world):
    post = world.public_topic.last_post
    post.content = "Version initiale"
    post.save()
    anonymous = client_for(None)
    url = topic_url(world.public_topic)
    assert "Version initiale" in anonymous.get(url).content.decode()
    assert "Version initiale" in anonymous.get(url).content.decode()  # from the cache
    post.content = "Version corrigée"
    post.save()
    html = anonymous.get(url).content.decode()
    assert "Version corrigée" in html and "Version initiale" not in html
    client_for(world.officer_rh).post(reverse("forum_community:hide_post", args=[post.pk]))
    assert "Version corrigée" not in anonymous.get(url).content.decode()
