"""Production: no default secret, explicit hosts, HTTPS everywhere.

Start-up stops with a message naming the variable when a required one is missing.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int

from .base import *

DEBUG = False

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is required in production: set it to a long random string "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is required in production: a comma-separated list of host names, "
        "e.g. passerelle.example.fr."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Single sign-on: the IdP's cross-site POST to the ACS must carry the SAML cookie (HTTPS only).
SAML_SESSION_COOKIE_SAMESITE = "None"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# gunicorn serves the static files itself (collectstatic first): no CDN, no extra server.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# Explained in the README ("Production checks"):
# - W019: Wagtail's live preview shows the page in a same-origin frame, so SAMEORIGIN, not DENY.
# - W021: HSTS preload commits the whole parent domain for months; it is the operator's choice
#   (DJANGO_HSTS_PRELOAD=true), not a default.
SILENCED_SYSTEM_CHECKS = ["security.W019", "security.W021"]
