"""Which notices the urgent banner shows: published, public, urgent and not expired."""

from notices.models import NoticePage
from notices.models.pages import unexpired

BANNER_LIMIT = 3


def urgent_notices(limit=BANNER_LIMIT):
    queryset = (
        NoticePage.objects.live()
        .public()
        .filter(priority=NoticePage.Priority.URGENT)
        .order_by("-original_published_at", "-first_published_at")
    )
    return unexpired(queryset)[:limit]


def banner_notices():
    """What the banner shows, from the fragment cache (passerelle/pagecache.py): no query on
    every page, anonymous or signed in, until a notice changes (or midnight, when some expire)."""
    from passerelle import pagecache

    return pagecache.fragment("urgent-banner", lambda: list(urgent_notices()))
