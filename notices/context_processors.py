"""The urgent banner that every page shows while an urgent notice is in force."""

from django.utils.functional import SimpleLazyObject

from notices.banner import urgent_notices


def urgent_banner(request):
    # Lazy: pages that do not render the banner (feeds, admin) run no query.
    return {"urgent_notices": SimpleLazyObject(lambda: list(urgent_notices()))}
