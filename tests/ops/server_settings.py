"""Settings of the app servers tests/ops starts: the shared base, production-like (no debug),
plain HTTP on 127.0.0.1, every server of a test with the same cache prefix and secret."""

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "two-app-servers-test-only-secret-key-0123456789-abcdefghijklmnop"
ALLOWED_HOSTS = ["127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
