"""machina's member pages, where private forums do not exist for whoever may not read them.

- A profile's message and topic counts are those the reader may read (machina counted every
  topic and every post, private forums' included, on the profile of anyone).
- A user id that is not a number is a 404 (machina's ``<str:pk>`` gave a 500).
- One's subscribed topics leave out those one can no longer read.
"""

from django.http import Http404
from machina.apps.forum_member.views import ForumProfileDetailView as MachinaProfileDetailView
from machina.apps.forum_member.views import (
    ForumProfileUpdateView,  # noqa: F401
    TopicSubscribeView,  # noqa: F401
    TopicUnsubscribeView,  # noqa: F401
)
from machina.apps.forum_member.views import TopicSubscriptionListView as MachinaSubscriptionList
from machina.apps.forum_member.views import UserPostsView as MachinaUserPostsView
from machina.core.db.models import get_model

Forum = get_model("forum", "Forum")
Post = get_model("forum_conversation", "Post")
Topic = get_model("forum_conversation", "Topic")


def _readable_forums(request):
    return request.forum_permission_handler.get_readable_forums(Forum.objects.all(), request.user)


def _check_user_pk(kwargs):
    if not str(kwargs.get("pk", "")).isdigit():
        raise Http404


class ForumProfileDetailView(MachinaProfileDetailView):
    def get(self, request, *args, **kwargs):
        _check_user_pk(kwargs)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forums = _readable_forums(self.request)
        user = self.object.user
        context["topics_count"] = Topic.objects.filter(
            approved=True, poster=user, forum__in=forums
        ).count()
        # Shown on the page only, never saved: the count of what this reader may read.
        self.object.posts_count = Post.approved_objects.filter(
            poster=user, topic__forum__in=forums
        ).count()
        return context


class UserPostsView(MachinaUserPostsView):
    def get(self, request, *args, **kwargs):
        _check_user_pk(kwargs)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(approved=True)


class TopicSubscriptionListView(MachinaSubscriptionList):
    def get_queryset(self):
        return super().get_queryset().filter(forum__in=_readable_forums(self.request))
