"""Local development: what `make run` uses. Debug on, a throwaway secret, local hosts only."""

from .base import *

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-secret-key-not-for-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
INTERNAL_IPS = ["127.0.0.1"]

# Single sign-on demo (`make federation`): once it has run, and while no federation or ProConnect
# variable is set, the SP uses its demo IdPs and OpenID provider (var/demo-federation/).
_DEMO_SSO = VAR_DIR / "demo-federation" / "settings.json"
if _DEMO_SSO.is_file() and not (
    SSO_SAML_METADATA_URL or SSO_SAML_METADATA_FILE or SSO_PROCONNECT_ISSUER
):
    import json

    globals().update(json.loads(_DEMO_SSO.read_text()))
