"""Moderation: reports, hiding and restoring posts, locking, and the log of every action.

Hiding a post sets machina's ``approved=False`` through ``Post.save()``, so that machina's
counters and the site search (indexed on Post's post_save) drop it; a ``HiddenPost`` row tells
it apart from a post waiting for approval.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from machina.core.db.models import get_model

from forum.community import emails
from forum.community.access import moderators_of
from forum.community.models import HiddenPost, ModerationAction, PostReport

Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")

Kind = ModerationAction.Kind


def describe(topic=None, post=None):
    if post is not None:
        return f"« {post.topic.subject} » – message n° {post.pk}"[:300]
    if topic is not None:
        return f"« {topic.subject} »"[:300]
    return ""


def log(actor, kind, *, forum=None, topic=None, post=None, note=""):
    if post is not None:
        topic = topic or post.topic
    if topic is not None:
        forum = forum or topic.forum
    return ModerationAction.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        forum=forum,
        topic=topic,
        post=post,
        target=describe(topic, post),
        note=note or "",
    )


@transaction.atomic
def report_post(post, reporter, reason, comment=""):
    """Record a report (one open report per person and post) and tell the forum's moderators."""
    report = PostReport.objects.filter(
        post=post, reporter=reporter, status=PostReport.Status.OPEN
    ).first()
    if report is not None:
        return report, False
    report = PostReport.objects.create(
        post=post,
        forum=post.topic.forum,
        excerpt=(post.content.raw or "")[:1000],
        reporter=reporter,
        reason=reason,
        comment=comment,
    )
    url = reverse("forum_community:report", args=[report.pk])
    for moderator in moderators_of(post.topic.forum):
        if moderator.pk == reporter.pk:
            continue
        emails.send(
            moderator,
            _("Signalement : « %(subject)s »") % {"subject": post.topic.subject},
            "forum_community/emails/report",
            {"report": report, "post": post, "url": url},
            dedup_key=f"report:{report.pk}:user:{moderator.pk}",
        )
    return report, True


@transaction.atomic
def hide_post(post, actor, note=""):
    HiddenPost.objects.update_or_create(post=post, defaults={"hidden_by": actor, "note": note})
    if post.approved:
        post.approved = False
        post.save()
    return log(actor, Kind.HIDE, post=post, note=note)


@transaction.atomic
def show_post(post, actor, note=""):
    HiddenPost.objects.filter(post=post).delete()
    if not post.approved:
        post.approved = True
        post.save()
    return log(actor, Kind.SHOW, post=post, note=note)


@transaction.atomic
def delete_post(post, actor, note=""):
    topic, forum = post.topic, post.topic.forum
    entry = log(actor, Kind.DELETE, post=post, note=note)
    alone = post.is_alone
    post.delete()  # machina deletes the topic with its only post
    ModerationAction.objects.filter(pk=entry.pk).update(
        post=None, topic=None if alone else topic, forum=forum
    )
    return entry


@transaction.atomic
def lock_topic(topic, actor, note=""):
    topic.status = Topic.TOPIC_LOCKED
    topic.save(update_fields=["status"])
    return log(actor, Kind.LOCK, topic=topic, note=note)


RESOLUTIONS = {
    "dismiss": (PostReport.Status.DISMISSED, None),
    "edited": (PostReport.Status.RESOLVED, None),
    "hide": (PostReport.Status.RESOLVED, hide_post),
    "delete": (PostReport.Status.RESOLVED, delete_post),
    "lock": (PostReport.Status.RESOLVED, None),
}


@transaction.atomic
def resolve_report(report, actor, action, note=""):
    """Apply the moderator's decision, close every open report on that post, and log it."""
    status, apply = RESOLUTIONS[action]
    post = report.post
    topic = post.topic
    open_reports = PostReport.objects.filter(post=post, status=PostReport.Status.OPEN)
    now = timezone.now()
    if action == "dismiss":
        log(actor, Kind.DISMISS, post=post, note=note)
    elif action == "edited":
        log(actor, Kind.EDIT, post=post, note=note)
    elif action == "lock":
        lock_topic(topic, actor, note)
    open_reports.update(status=status, resolved_by=actor, resolved_at=now, resolution_note=note)
    if apply is not None:
        apply(post, actor, note)
    report.refresh_from_db()
    return report
