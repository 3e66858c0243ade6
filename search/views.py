"""The site search page.

First version: published, public pages through Wagtail's search framework (SQLite FTS5 or
PostgreSQL full-text search). Forum posts join the same index in the search issue.
"""

import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from wagtail.models import Page

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 20


WORD_RE = re.compile(r"\w+", re.UNICODE)


def clean_query(raw):
    """Drop control characters and collapse spaces; cut to a reasonable length."""
    text = "".join(ch if ch.isprintable() else " " for ch in raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def query_terms(query):
    """The words of the query, without any search-engine syntax (quotes, operators, brackets):
    what a person types is always searched as plain words."""
    return " ".join(WORD_RE.findall(query))


def search(request):
    raw_query = request.GET.get("q", "")
    query = clean_query(raw_query)
    error = None
    results_page = None
    total = 0
    if len(raw_query) > MAX_QUERY_LENGTH:
        error = _("Votre recherche a été raccourcie à %(n)d caractères.") % {"n": MAX_QUERY_LENGTH}
    terms = query_terms(query)
    if terms:
        results = Page.objects.live().public().specific().search(terms, operator="and")
        paginator = Paginator(results, RESULTS_PER_PAGE)
        page_number = request.GET.get("page", 1)
        try:
            results_page = paginator.page(page_number)
        except PageNotAnInteger:
            results_page = paginator.page(1)
        except EmptyPage:
            results_page = paginator.page(max(paginator.num_pages, 1))
        total = paginator.count
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "query_string": urlencode({"q": query}),
            "results": results_page,
            "total": total,
            "error": error,
        },
    )
