"""Settings of the forum benchmark (benchmarks/forum_bench.py): production-like, no debug, HTTP.

``FORUM_BENCH_VANILLA=1`` swaps Passerelle's forum extensions for django-machina 1.3.1 as it ships
(its apps, its ForumPermissionMiddleware) so both run side by side on the same database.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, MIDDLEWARE

DEBUG = False
SECRET_KEY = "benchmark-only-secret-key-benchmark-only-secret-key-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1"]
LOGGING = {"version": 1, "disable_existing_loggers": True}

if os.environ.get("FORUM_BENCH_VANILLA") == "1":
    VANILLA = {
        "forum.forum": "machina.apps.forum",
        "forum.forum_conversation": "machina.apps.forum_conversation",
        "forum.forum_conversation.forum_attachments": (
            "machina.apps.forum_conversation.forum_attachments"
        ),
        "forum.forum_feeds": "machina.apps.forum_feeds",
        "forum.forum_moderation": "machina.apps.forum_moderation",
        "forum.forum_tracking": "machina.apps.forum_tracking",
        "forum.forum_permission": "machina.apps.forum_permission",
    }
    INSTALLED_APPS = [VANILLA.get(app, app) for app in INSTALLED_APPS]
    MIDDLEWARE = [
        "machina.apps.forum_permission.middleware.ForumPermissionMiddleware"
        if m == "forum.middleware.ForumPermissionMiddleware"
        else m
        for m in MIDDLEWARE
    ]
