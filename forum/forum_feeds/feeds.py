"""machina's topic feeds: a forum the reader may not read is a 404, and only readable forums
(and approved topics) are ever listed."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from machina.apps.forum_feeds.feeds import LastTopicsFeed as MachinaLastTopicsFeed
from machina.core.db.models import get_model

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")


class LastTopicsFeed(MachinaLastTopicsFeed):
    title = "Passerelle – derniers sujets du forum"
    description = "Les sujets récemment actifs des forums de Passerelle"

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
            .select_related("forum")
            .order_by("-last_post_on")[:30]
        )
