"""The last activity of each signed-in session, written at most once every few minutes.

allauth's ``UserSessionsMiddleware`` updates the session's row on every signed-in request: a
SELECT and an UPDATE in a transaction, so every page a signed-in person reads was a database write
(on SQLite, the one write lock that replies wait for). The sessions page (/compte/sessions/) shows
the last activity to the minute, so this middleware lets allauth track it at most once per
``USERSESSIONS_TRACK_ACTIVITY_INTERVAL`` seconds per session, remembered in the default cache
(shared by every app server when Redis is configured). The row itself is still created at sign-in
by allauth's ``user_logged_in`` receiver.
"""

import logging

from allauth.usersessions.internal import usersessionkit
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _due(session_key):
    interval = getattr(settings, "USERSESSIONS_TRACK_ACTIVITY_INTERVAL", 300)
    if interval <= 0:
        return True
    try:
        # add() only succeeds when the key is absent: once per interval and session.
        return cache.add(f"usersession-seen:{session_key}", 1, interval)
    except Exception:  # an unreachable cache must not cost the page: track as allauth would
        logger.warning("session activity: cache unavailable, tracking this request")
        return True


class ThrottledUserSessionsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and session.session_key
            and _due(session.session_key)
        ):
            usersessionkit.track_activity(request, user=user, session=session)
        return self.get_response(request)
