"""machina's read-tracking views, where a forum the person may not read does not exist.

machina's ``MarkForumsReadView`` looked the forum up without any permission check (its page and
its redirect named a private forum's slug), and ``MarkTopicsReadView`` fetched the forum with
``Forum.objects.get`` (a 500 for an id that does not exist). Both answer 404 for either.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from machina.apps.forum_tracking.views import MarkForumsReadView as MachinaMarkForumsReadView
from machina.apps.forum_tracking.views import MarkTopicsReadView as MachinaMarkTopicsReadView
from machina.apps.forum_tracking.views import UnreadTopicsView  # noqa: F401
from machina.core.db.models import get_model

Forum = get_model("forum", "Forum")


def readable_forum_or_404(request, pk):
    forum = get_object_or_404(Forum, pk=pk)
    if not request.forum_permission_handler.can_read_forum(forum, request.user):
        raise Http404
    return forum


class MarkForumsReadView(MachinaMarkForumsReadView):
    def get(self, request, pk=None):
        if pk:
            readable_forum_or_404(request, pk)
        return super().get(request, pk)

    def post(self, request, pk=None):
        if pk:
            readable_forum_or_404(request, pk)
        return super().post(request, pk)


class MarkTopicsReadView(MachinaMarkTopicsReadView):
    def get_controlled_object(self):
        return get_object_or_404(Forum, pk=self.kwargs["pk"])
