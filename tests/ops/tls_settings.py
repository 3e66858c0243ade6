"""Settings of the app server behind nginx in tests/ops/test_nginx_tls.py: those of the other
app servers, plus what production says about HTTPS behind a proxy (config/settings/production.py):
Django trusts X-Forwarded-Proto and redirects any request it believes is plain HTTP, so a page
served over nginx's TLS proves that nginx sends ``X-Forwarded-Proto: https``."""

from tests.ops.server_settings import *  # noqa: F403

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
