from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from kb.history import compare, review_history, visible_updates


def page_history(request, page):
    updates = list(visible_updates(page).select_related("revision"))
    return TemplateResponse(
        request,
        "kb/page_history.html",
        {"page": page, "updates": updates, "self": page, "reviews": review_history(page)},
    )


def compare_versions(request, page):
    """Compare two published versions (``de`` and ``a`` are history entry ids)."""
    updates = {u.pk: u for u in visible_updates(page).select_related("revision")}
    ordered = sorted(updates.values(), key=lambda u: (u.published_at, u.pk))
    error = None
    try:
        old = updates[int(request.GET.get("de", ""))]
        new = updates[int(request.GET.get("a", ""))]
    except (KeyError, ValueError):
        if len(ordered) < 2:
            raise Http404(_("Cette page n'a pas encore deux versions à comparer.")) from None
        if "de" in request.GET or "a" in request.GET:
            error = _("Ces versions n'existent pas : voici les deux dernières.")
        old, new = ordered[-2], ordered[-1]
    if (old.published_at, old.pk) > (new.published_at, new.pk):
        old, new = new, old
    lines = compare(old, new) if old.revision_id and new.revision_id and old.pk != new.pk else []
    return TemplateResponse(
        request,
        "kb/page_compare.html",
        {
            "page": page,
            "self": page,
            "old": old,
            "new": new,
            "lines": lines,
            "updates": list(reversed(ordered)),
            "error": error,
            "changed": any(line.kind != "same" for line in lines),
        },
    )
