from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode


def forum_search(request):
    """machina's search box sends people to the site search, scoped to the forum."""
    params = {"type": "forum"}
    query = request.GET.get("q", "").strip()
    if query:
        params["q"] = query
    return HttpResponseRedirect(f"{reverse('search')}?{urlencode(params)}")
