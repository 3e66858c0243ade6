"""Deleting an account, with its posts or keeping them under "Ancien membre".

:func:`erase_account` does it in one transaction:

1. Forum: the person's posts are deleted (with their attachments' files; a topic they started
   stays when others replied, without author) or kept with no author and the name
   "Ancien membre" (machina's ``username`` of an authorless post, no ``anonymous_key``: nobody
   but moderators may edit them). Their name, username and address are rewritten to
   "Ancien membre" in every post, topic subject, moderation log entry and report; ``@mentions``
   of their username become "Ancien membre". Each changed post is saved, which re-indexes it
   for the site search and changes the cache keys of its topic page and of the forum index.
2. Experiences: a submission accepted into a guide page stays (the agency keeps the page),
   without its author and without their name; the others go, with their attachments.
3. Outbox: every message to their address goes; messages not yet sent about their deleted posts
   go; any other message naming them is rewritten.
4. Sessions: every session of theirs is deleted.
5. The user row is deleted: Django's cascade removes the profile, subscriptions, preferences,
   sign-in history, forum profile, read tracks, poll votes, permissions and any table added later
   (allauth's email addresses, tokens…); nullable links elsewhere become empty. Links Django does
   not cascade (Wagtail's log entries keep a user id without a constraint) are emptied first.
   Afterwards no row of any installed model points at the old id (checked, logged).
"""

import logging
import re

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from machina.core.db.models import get_model

from accounts.personal_data import FORMER_MEMBER
from accounts.personal_data.export import (
    known_user_references,
    remaining_references,
    session_keys_for,
)
from forum.community.models import ModerationAction, PostReport
from kb.models import ExperienceSubmission
from outbox.models import Message, RefusedAddress

logger = logging.getLogger(__name__)

Post = get_model("forum_conversation", "Post")
Topic = get_model("forum_conversation", "Topic")

DELETE_POSTS = "delete"
KEEP_POSTS = "keep"


class Identity:
    """What names a person in text: full name, username (and @username), email address."""

    def __init__(self, user):
        self.user_id = user.pk
        self.username = user.get_username()
        self.email = user.email or ""
        self.full_name = user.get_full_name().strip()
        alternatives = []
        if self.email:
            alternatives.append(re.escape(self.email))
        if self.full_name and len(self.full_name) >= 3:
            # "Camille Martin" and "Martin Camille", any spacing.
            words = [re.escape(w) for w in self.full_name.split()]
            alternatives.append(r"\s+".join(words))
            if len(words) > 1:
                alternatives.append(r"\s+".join(reversed(words)))
        # "@name" always; the bare username only when it cannot be an ordinary word ("paul"
        # stays in "Paul a raison", "cpartante2" or "c.partante" go).
        distinctive = len(self.username) >= 8 or not self.username.isalpha()
        alternatives.append(("@?" if distinctive else "@") + re.escape(self.username))
        self.pattern = re.compile(
            r"(?<![\w@.+-])(?:" + "|".join(alternatives) + r")(?![\w@-]|\.\w)", re.IGNORECASE
        )
        self.needles = [n for n in (self.email, self.full_name, self.username) if n]

    def scrub(self, text):
        if not text:
            return text
        return self.pattern.sub(FORMER_MEMBER, text)

    def text_filter(self, *fields):
        """A coarse Q matching rows whose ``fields`` may name the person (refined by scrub)."""
        query = Q()
        for field in fields:
            for needle in self.needles:
                query |= Q(**{f"{field}__icontains": needle})
        return query


def _scrub_rows(queryset, identity, fields):
    """Rewrite ``fields`` of the rows of ``queryset`` that name the person; returns the count."""
    changed = 0
    for row in queryset.filter(identity.text_filter(*fields)):
        updates = {f: identity.scrub(getattr(row, f)) for f in fields}
        if any(updates[f] != getattr(row, f) for f in fields):
            type(row)._base_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def _delete_file(field):
    if field:
        try:
            field.storage.delete(field.name)
        except Exception:  # a missing file is no reason to keep the account
            logger.warning("Could not delete file %s", field.name)


def _forum(user, identity, keep_posts, report):
    own_posts = Post.objects.filter(poster=user).select_related("topic")
    touched_topics = set()
    if keep_posts:
        for post in own_posts.order_by("pk"):
            post.poster = None
            post.anonymous_key = None
            post.username = FORMER_MEMBER
            post.enable_signature = False
            post.content = identity.scrub(post.content.raw)
            post.subject = identity.scrub(post.subject)
            if post.updated_by_id == user.pk:
                post.updated_by = None
            post.save()
            touched_topics.add(post.topic_id)
            report["posts_kept"] += 1
    else:
        # Newest first: machina deletes a topic with its last post and re-points a topic's first
        # post when its head goes while replies remain.
        for post in own_posts.prefetch_related("attachments").order_by("-created", "-pk"):
            for attachment in post.attachments.all():
                _delete_file(attachment.file)
            topic_id = post.topic_id
            post.delete()
            touched_topics.add(topic_id)
            report["posts_deleted"] += 1
    # Topics they started that remain (others replied): no author, their name out of the title.
    for topic in Topic.objects.filter(poster=user):
        topic.poster = None
        topic.subject = identity.scrub(topic.subject)
        topic.save()
        touched_topics.add(topic.pk)
    # Their name, username, address and @mentions in everybody else's posts and titles.
    others = Post.objects.exclude(poster=user).filter(
        identity.text_filter("content", "subject", "username")
    )
    for post in others.select_related("topic"):
        content = identity.scrub(post.content.raw)
        subject = identity.scrub(post.subject)
        username = identity.scrub(post.username) if post.username else post.username
        if (content, subject, username) != (post.content.raw, post.subject, post.username):
            post.content = content
            post.subject = subject
            post.username = username
            post.save()
            touched_topics.add(post.topic_id)
            report["mentions_rewritten"] += 1
    for topic in Topic.objects.filter(identity.text_filter("subject")):
        subject = identity.scrub(topic.subject)
        if subject != topic.subject:
            topic.subject = subject
            topic.save()
            touched_topics.add(topic.pk)
    # Posts they edited last: the editor's name goes (and the cached HTML with it).
    for post in Post.objects.filter(updated_by=user):
        post.updated_by = None
        post.save()
        touched_topics.add(post.topic_id)
    # Saving each topic again re-derives its counters and changes the cache keys of its page and
    # of its forum (machina's update_trackers saves both).
    for topic in Topic.objects.filter(pk__in=touched_topics).select_related("forum"):
        topic.update_trackers()
    report["topics_touched"] = len(touched_topics)
    report["moderation_entries_rewritten"] = _scrub_rows(
        ModerationAction.objects.all(), identity, ["target", "note"]
    )
    report["reports_rewritten"] = _scrub_rows(
        PostReport.objects.all(), identity, ["excerpt", "comment", "resolution_note"]
    )


def _experiences(user, identity, report):
    for submission in ExperienceSubmission.objects.filter(submitter=user):
        if submission.page_id:
            # The agency keeps the page made from it, and the record of where it came from.
            fields = ["title", "context", "actions", "results", "tools", "officer_message"]
            for field in fields:
                setattr(submission, field, identity.scrub(getattr(submission, field)))
            submission.submitter = None
            submission.save()
            report["experiences_kept"] += 1
        else:
            _delete_file(submission.attachment)
            submission.delete()
            report["experiences_deleted"] += 1


def _outbox(identity, deleted_post_ids, report):
    if identity.email:
        report["messages_deleted"] += Message.objects.filter(to__iexact=identity.email).delete()[0]
        RefusedAddress.objects.filter(email__iexact=identity.email).delete()
    if deleted_post_ids:
        about = Q()
        for pk in deleted_post_ids:
            about |= Q(dedup_key__startswith=f"post:{pk}:")
        report["messages_deleted"] += (
            Message.objects.exclude(status=Message.Status.SENT).filter(about).delete()[0]
        )
    report["messages_rewritten"] = _scrub_rows(
        Message.objects.all(), identity, ["subject", "body_text", "body_html"]
    )


def _sessions(user, report):
    keys = session_keys_for([user.pk]).get(user.pk, [])
    engine = Session.get_session_store_class()
    for key in keys:
        engine(session_key=key).delete()  # the cache too, with cached_db
    report["sessions_deleted"] = len(keys)


def _unconstrained_links(user):
    """Empty links Django's cascade does not follow (``DO_NOTHING``: Wagtail's log entries)."""
    for model, field in known_user_references():
        if field.remote_field.on_delete is models.DO_NOTHING:
            rows = model._base_manager.filter(**{field.attname: user.pk})
            if field.null:
                rows.update(**{field.attname: None})
            else:
                rows.delete()


@transaction.atomic
def erase_account(user, keep_posts=True):
    """Delete ``user`` and what is theirs. Returns a report dict (counts), also logged."""
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    identity = Identity(user)
    report = {
        "user_id": user.pk,
        "mode": KEEP_POSTS if keep_posts else DELETE_POSTS,
        "posts_kept": 0,
        "posts_deleted": 0,
        "mentions_rewritten": 0,
        "experiences_kept": 0,
        "experiences_deleted": 0,
        "messages_deleted": 0,
    }
    deleted_post_ids = (
        [] if keep_posts else list(Post.objects.filter(poster=user).values_list("pk", flat=True))
    )
    _forum(user, identity, keep_posts, report)
    _experiences(user, identity, report)
    _outbox(identity, deleted_post_ids, report)
    _sessions(user, report)
    _unconstrained_links(user)
    user_id = user.pk
    user.delete()
    left = remaining_references(user_id)
    if left:  # a model added later with a link Django does not cascade: say so, loudly
        logger.error("Account %s erased but rows still point at it: %s", user_id, left)
    report["remaining_references"] = left
    logger.info("Account erased: %s", report)
    return report
