from django import template

from forum.community.access import can_read
from forum.community.models import PracticeDiscussion
from forum.community.notifications import topic_url
from forum.community.solutions import is_solved

register = template.Library()


@register.simple_tag(takes_context=True)
def practice_discussion(context, page):
    """The discussion topic of a practice page, if there is one the reader may read."""
    link = PracticeDiscussion.objects.filter(page_id=page.pk).select_related("topic__forum").first()
    if link is None or not link.topic.approved:
        return None
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_read(link.topic.forum, user):
        return None
    return {
        "topic": link.topic,
        "url": topic_url(link.topic),
        "replies": link.topic.posts_count - 1,
    }


@register.simple_tag(takes_context=True)
def topic_assignment(context, topic):
    """The topic's assignment (officer or "no answer needed"), or None: the one the topic page
    read with the topic (``topic_assignment`` in its context), or read now."""
    from forum.community.assignment import assignment_of

    known = context.get("topic_assignment", False)
    if known is not False and known[0] == topic.pk:
        return known[1]
    return assignment_of(topic)


@register.simple_tag(takes_context=True)
def cached_forum_list(context, forum_contents):
    """machina's ``{% forum_list %}``, rendered once per state (``forum.forum.list_cache``)."""
    from forum.forum.list_cache import render_forum_list

    return render_forum_list(context["request"], forum_contents)


register.filter("is_solved", is_solved)
