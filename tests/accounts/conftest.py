import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """allauth's rate limits and the sign-in slow-down live in the cache: start each test clean.
    The slow-down is off unless a test turns it on (tests/accounts/test_signin_security.py)."""
    settings.ACCOUNT_LOGIN_FAILED_DELAY = 0
    cache.clear()
    yield
    cache.clear()
