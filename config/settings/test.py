"""Settings for the test suite: the same as base, with fast hashing and mail kept in memory.

DATABASE_URL and REDIS_URL are honoured, so CI runs the same suite on PostgreSQL and Redis.
"""

from .base import *

DEBUG = False
SECRET_KEY = "test-secret-key-only-for-the-test-suite"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
MEDIA_ROOT = VAR_DIR / "test-media"
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private"
CACHES["machina_attachments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "machina_attachments",
}
if not REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "passerelle-tests",
    }
else:
    # A shared Redis: keep this run's keys apart from any other run's.
    import os

    for alias in ("default", "forum_html", "forum_views"):
        CACHES[alias]["KEY_PREFIX"] = f"passerelle-test-{alias}-{os.getpid()}"

# Background tasks run inside the request unless a test (or its subprocess) chooses a backend;
# tests/ops runs the real database worker in a process of its own.
import os  # noqa: E402

if not os.environ.get("PASSERELLE_TASKS_BACKEND"):
    PASSERELLE_TASKS_BACKEND = "immediate"
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
