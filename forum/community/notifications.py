"""Subscriptions and the emails they send: at once, in a daily digest, or none.

Rules: never to the author, never about content the recipient cannot read (checked when the
email is queued, with machina's permission handler), one email per person and post (a
subscriber who is also mentioned gets one email), and a digest at most once a day per person
(``dedup_key``). Who gets what is computed by a background task once the post is committed
(``post_published`` → ``ops.tasks.notify_post`` → ``queue_post_emails``); emails are queued in
the outbox and delivered by another task.
"""

import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from machina.core.db.models import get_model

from forum.community import emails
from forum.community.access import can_read
from forum.community.models import MemberSettings, Subscription

Post = get_model("forum_conversation", "Post")
Topic = get_model("forum_conversation", "Topic")

Frequency = Subscription.Frequency
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]{2,150})", re.UNICODE)


def topic_url(topic):
    return reverse(
        "forum_conversation:topic",
        kwargs={
            "forum_slug": topic.forum.slug,
            "forum_pk": topic.forum_id,
            "slug": topic.slug,
            "pk": topic.pk,
        },
    )


def post_url(post):
    return f"{topic_url(post.topic)}?post={post.pk}#{post.pk}"


def settings_for(user):
    return MemberSettings.objects.filter(user=user).first() or MemberSettings(user=user)


def subscribe(user, *, topic=None, forum=None, frequency=Frequency.IMMEDIATE):
    subscription, _created = Subscription.objects.update_or_create(
        user=user, topic=topic, forum=forum, defaults={"frequency": frequency}
    )
    return subscription


def unsubscribe(user, *, topic=None, forum=None):
    return Subscription.objects.filter(user=user, topic=topic, forum=forum).delete()[0] > 0


def subscription_for(user, *, topic=None, forum=None):
    if not user.is_authenticated:
        return None
    return Subscription.objects.filter(user=user, topic=topic, forum=forum).first()


def auto_subscribe(user, topic):
    """Starting a topic or replying subscribes you to it, unless you turned that off (and an
    existing choice for that topic, "none" included, is kept)."""
    if not settings_for(user).auto_subscribe:
        return None
    subscription, _created = Subscription.objects.get_or_create(
        user=user, topic=topic, forum=None, defaults={"frequency": Frequency.IMMEDIATE}
    )
    return subscription


def _effective_subscriptions(topic):
    """{user_id: subscription} for ``topic``: a topic subscription wins over a forum one."""
    found = {}
    for sub in Subscription.objects.filter(
        Q(topic=topic) | Q(forum_id=topic.forum_id)
    ).select_related("user"):
        current = found.get(sub.user_id)
        if current is None or (sub.topic_id and not current.topic_id):
            found[sub.user_id] = sub
    return found


def mentioned_users(post):
    names = {m.group(1).rstrip(".") for m in MENTION.finditer(post.content.raw or "")}
    if not names:
        return []
    User = get_user_model()
    return list(User.objects.filter(username__in=names, is_active=True))


def post_published(post):
    """After the transaction that made ``post`` visible commits, compute and queue its emails in
    a background task (the author's request does not wait for the fan-out)."""
    from ops.tasks import enqueue_on_commit, notify_post

    enqueue_on_commit(notify_post, post.pk)


def queue_post_emails(post):
    """Queue the emails a newly visible post causes: mentions, then immediate subscriptions.
    Not one transaction: each email is its own short write (on SQLite a long one would hold the
    write lock, and every reply would wait for it, while 60 emails are rendered); run again,
    ``dedup_key`` queues only the missing ones."""
    if not post.approved or not post.topic.approved:
        return 0
    topic = post.topic
    forum = topic.forum
    author_id = post.poster_id
    sent = set()
    queued = 0
    for user in mentioned_users(post):
        if user.pk == author_id or user.pk in sent or not settings_for(user).notify_mentions:
            continue
        if not can_read(forum, user):
            continue
        if emails.send(
            user,
            _("%(author)s vous mentionne dans « %(subject)s »")
            % {"author": _display(post.poster), "subject": topic.subject},
            "forum_community/emails/mention",
            {"post": post, "topic": topic, "url": post_url(post)},
            dedup_key=f"post:{post.pk}:user:{user.pk}",
        ):
            queued += 1
        sent.add(user.pk)
    for user_id, sub in _effective_subscriptions(topic).items():
        if user_id == author_id or user_id in sent or sub.frequency != Frequency.IMMEDIATE:
            continue
        if not can_read(forum, sub.user):
            continue
        if emails.send(
            sub.user,
            _("Nouveau message : « %(subject)s »") % {"subject": topic.subject},
            "forum_community/emails/new_post",
            {"post": post, "topic": topic, "url": post_url(post)},
            dedup_key=f"post:{post.pk}:user:{user_id}",
            subscription=sub,
        ):
            queued += 1
        sent.add(user_id)
    return queued


def _display(user):
    if user is None:
        return _("Quelqu'un")
    return user.get_full_name() or user.get_username()


def send_digests(now=None):
    """Queue the daily digests (now one per person for everything they follow, forum included:
    see ``subscriptions.digest``). Returns the number queued."""
    from subscriptions import digest

    return digest.send(digest.Rhythm.DAILY, now)
