from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode


def forum_search(request):
    """machina's search sends people to the site search, scoped to the forums, and to the
    forums it names (``search_forums``, machina's field; the site search drops any forum the
    person may not read)."""
    params = [("type", "forum")]
    query = request.GET.get("q", "").strip()
    if query:
        params.append(("q", query))
    params += [("forum", pk) for pk in request.GET.getlist("search_forums") if pk.isdigit()]
    return HttpResponseRedirect(f"{reverse('search')}?{urlencode(params)}")
