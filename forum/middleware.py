"""Forum permission middleware that writes nothing for anonymous readers.

machina's ``ForumPermissionMiddleware`` stores a random "anonymous forum key" in the session of
every cookieless request, on every page of the site: one session row per first-time visitor of a
guide. That key only identifies anonymous *authors* (posts, poll votes), which Passerelle does not
allow, so it is created only for a write in the forum by an anonymous visitor, and otherwise read
from an existing session if there is one.
"""

import uuid

from machina.core.loading import get_class

PermissionHandler = get_class("forum_permission.handler", "PermissionHandler")

ANONYMOUS_FORUM_KEY = "_anonymous_forum_key"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ForumPermissionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            request.user.forum_key = self._anonymous_forum_key(request)
        request.forum_permission_handler = PermissionHandler()
        return self.get_response(request)

    @staticmethod
    def _anonymous_forum_key(request):
        session = request.session
        if session.session_key is not None or session.modified:
            key = session.get(ANONYMOUS_FORUM_KEY)
            if key:
                return key
        if request.method in UNSAFE_METHODS and request.path.startswith("/forum/"):
            key = uuid.uuid4().hex
            session[ANONYMOUS_FORUM_KEY] = key
            return key
        return None
