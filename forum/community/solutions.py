"""Accepted answers: the topic's author or a moderator marks one reply as the solution."""

from django.db import transaction
from django.db.models import Exists, OuterRef

from forum.community.access import can_moderate
from forum.community.models import ModerationAction, TopicSolution


def is_solved(topic):
    """True when the topic has an accepted answer (uses an annotation when there is one)."""
    if hasattr(topic, "is_solved"):
        return bool(topic.is_solved)
    return TopicSolution.objects.filter(topic_id=topic.pk).exists()


def with_solved(queryset):
    """Annotate topics with ``is_solved`` in the same query."""
    return queryset.annotate(is_solved=Exists(TopicSolution.objects.filter(topic=OuterRef("pk"))))


def solution_of(topic):
    return TopicSolution.objects.filter(topic=topic).select_related("post__poster").first()


def can_mark_solution(topic, user, handler=None):
    if not user.is_authenticated:
        return False
    return topic.poster_id == user.pk or can_moderate(topic.forum, user, handler)


@transaction.atomic
def mark_solution(topic, post, user):
    if post.topic_id != topic.pk or not post.approved or post.pk == topic.first_post_id:
        raise ValueError("not a reply of this topic")
    solution, _created = TopicSolution.objects.update_or_create(
        topic=topic, defaults={"post": post, "marked_by": user}
    )
    from forum.community.moderation import log

    log(user, ModerationAction.Kind.SOLUTION, post=post)
    return solution


@transaction.atomic
def unmark_solution(topic, user):
    deleted, _rows = TopicSolution.objects.filter(topic=topic).delete()
    if deleted:
        from forum.community.moderation import log

        log(user, ModerationAction.Kind.UNSOLVE, topic=topic)
    return bool(deleted)
