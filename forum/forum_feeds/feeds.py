"""machina's topic feeds: a forum the reader may not read is a 404, and only readable forums
(and approved topics) are ever listed.

Titles are plain text: Django's syndication escapes them once (machina's title template
autoescaped them first, so feed readers showed ``d&#x27;expérience``). Descriptions are HTML
and leave through ``passerelle.sanitizer`` at the point of output, whatever was stored.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import gettext as _
from machina.apps.forum_feeds.feeds import LastTopicsFeed as MachinaLastTopicsFeed
from machina.core.db.models import get_model

from passerelle.sanitizer import sanitize_html

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")


def _display_name(user):
    return (user.get_full_name() or user.get_username()) if user else ""


class LastTopicsFeed(MachinaLastTopicsFeed):
    title = "Passerelle – derniers sujets du forum"
    description = "Les sujets récemment actifs des forums de Passerelle"
    title_template = None
    description_template = None

    def get_object(self, request, *args, **kwargs):
        forum_pk = kwargs.get("forum_pk")
        if forum_pk:
            forum = get_object_or_404(Forum, pk=forum_pk)
            if not request.forum_permission_handler.can_read_forum(forum, request.user):
                raise Http404
        return super().get_object(request, *args, **kwargs)

    def items(self):
        return (
            Topic.objects.filter(forum__in=self.forums, approved=True)
            .select_related("forum", "poster", "last_post", "last_post__poster")
            .order_by("-last_post_on")[:30]
        )

    def item_title(self, item):
        # Plain text; the syndication framework escapes it (once).
        return f"{item.forum.name} • {item.subject}"

    def item_description(self, item):
        post = item.last_post
        content = post.content.rendered if post is not None and post.approved else ""
        author = _display_name(post.poster) if post is not None and post.poster else ""
        byline = _("Publié par %(author)s le %(date)s") % {
            "author": author or (post.username if post is not None else ""),
            "date": formats.date_format(item.created, "DATETIME_FORMAT"),
        }
        return sanitize_html(f"{content}<p><em>{escape(byline)}</em></p>")

    def item_author_name(self, item):
        return _display_name(item.poster) or None
