import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def forum_caches():
    """Each test starts without cached forum pages or pending views: ids are reused between tests
    (every test's rows are rolled back) while the caches outlive them."""
    for alias in ("forum_html", "forum_pages", "forum_views"):
        caches[alias].clear()
    yield
