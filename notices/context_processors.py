"""The urgent banner that every page shows while an urgent notice is in force."""

from django.utils.functional import SimpleLazyObject

from notices.banner import banner_notices


def urgent_banner(request):
    # Lazy: pages that do not render the banner (feeds, admin) do not even read the cache.
    return {"urgent_notices": SimpleLazyObject(banner_notices)}
