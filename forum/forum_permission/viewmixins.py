"""machina's permission mixin, with one change: a forum the person may not read does not exist.

machina answers 403 (or a redirect to sign in) when a forum is not readable, which tells anyone
that a private forum exists at that address. Here every forum view first checks that the forum
of the controlled object is readable, and answers 404 when it is not; the other permission checks
(post, edit, moderate…) keep machina's behaviour.
"""

from django.http import Http404
from machina.apps.forum_permission.viewmixins import (
    PermissionRequiredMixin as MachinaPermissionRequiredMixin,
)
from machina.core.db.models import get_model

Forum = get_model("forum", "Forum")


def forum_of(obj):
    """The forum an object of the forum lives in (a forum, a topic, a post, a poll…)."""
    for _step in range(4):
        if obj is None or isinstance(obj, Forum):
            return obj
        if hasattr(obj, "forum"):
            return obj.forum
        obj = getattr(obj, "topic", None) or getattr(obj, "post", None)
    return None


class PermissionRequiredMixin(MachinaPermissionRequiredMixin):
    def check_permissions(self, request):
        obj = (
            (hasattr(self, "get_controlled_object") and self.get_controlled_object())
            or (hasattr(self, "get_object") and self.get_object())
            or getattr(self, "object", None)
        )
        forum = forum_of(obj)
        if forum is not None and not request.forum_permission_handler.can_read_forum(
            forum, request.user
        ):
            raise Http404
        return super().check_permissions(request)
