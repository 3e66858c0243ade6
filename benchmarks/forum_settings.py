"""Settings of the forum benchmark (benchmarks/forum_bench.py): production-like, no debug, HTTP.

``FORUM_BENCH_VANILLA=1`` gives django-machina 1.3.1 as it ships, on the same database and with
the same people and permissions: machina's own apps in place of every override app of
``forum/``, its ``ForumPermissionMiddleware``, its own templates (``templates/machina`` of the
package, before ours, and its ``_base.html`` as the base template) and only Django's and
machina's context processors (ours fill the site's header and banner, which machina's templates do
not show). Before 2026-12-02 the vanilla switch kept our templates, which flattered machina.
"""

import os

from machina import MACHINA_MAIN_TEMPLATE_DIR

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, INSTALLED_APPS, MIDDLEWARE, TEMPLATES

DEBUG = False
SECRET_KEY = "benchmark-only-secret-key-benchmark-only-secret-key-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
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
        "forum.forum_search": "machina.apps.forum_search",
        "forum.forum_tracking": "machina.apps.forum_tracking",
        "forum.forum_member": "machina.apps.forum_member",
        "forum.forum_permission": "machina.apps.forum_permission",
    }
    INSTALLED_APPS = [VANILLA.get(app, app) for app in INSTALLED_APPS]
    MIDDLEWARE = [
        "machina.apps.forum_permission.middleware.ForumPermissionMiddleware"
        if m == "forum.middleware.ForumPermissionMiddleware"
        else m
        for m in MIDDLEWARE
    ]
    MACHINA_BASE_TEMPLATE_NAME = "_base.html"
    OURS = ("kb.", "notices.", "wagtail.")
    TEMPLATES = [
        {
            **TEMPLATES[0],
            "DIRS": [MACHINA_MAIN_TEMPLATE_DIR, BASE_DIR / "templates"],
            "OPTIONS": {
                **TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    p
                    for p in TEMPLATES[0]["OPTIONS"]["context_processors"]
                    if not p.startswith(OURS)
                ],
            },
        }
    ]
