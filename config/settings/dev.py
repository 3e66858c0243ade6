"""Local development: what `make run` uses. Debug on, a throwaway secret, local hosts only."""

from .base import *

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-secret-key-not-for-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
INTERNAL_IPS = ["127.0.0.1"]
