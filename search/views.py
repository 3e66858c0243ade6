"""/recherche/: one ranked list of guides, notices and forum posts, with facets.

The view stays thin: the query is parsed into plain words (`search.analysis`), documents the
person may not see are filtered out before anything is searched or counted (`visible_documents`),
and the search itself goes through Wagtail's search framework (`search.backend`).
"""

import datetime
import logging

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from modelsearch.backends import get_search_backend

from forum.queries import readable_forum_ids
from kb.models import Domain
from notices.models import Source
from search import analysis
from search.forms import MAX_QUERY_LENGTH, PERIODS, SearchForm, clean_text
from search.models import SearchDocument

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 20
MAX_SUGGESTION_QUERIES = 4


def visible_documents(user):
    """Documents ``user`` may see: every page document (only published, public pages are
    indexed) and the approved posts of the forums they may read, checked on every search."""
    return SearchDocument.objects.filter(
        ~Q(kind=SearchDocument.Kind.FORUM) | Q(forum_id__in=readable_forum_ids(user), approved=True)
    )


def period_filter(key, now):
    for name, _label, days in PERIODS:
        if name == key:
            if days is None:
                return Q(date__lt=now - datetime.timedelta(days=366))
            return Q(date__gte=now - datetime.timedelta(days=days))
    return Q()


def filter_q(filters, domains_by_slug, now, skip=None):
    q = Q()
    if filters["type"] and skip != "type":
        q &= Q(kind__in=filters["type"])
    if filters["domaine"] and skip != "domaine":
        ids = [domains_by_slug[slug].pk for slug in filters["domaine"]]
        q &= Q(
            pk__in=SearchDocument.domains.through.objects.filter(domain_id__in=ids).values(
                "searchdocument_id"
            )
        )
    if filters["source"] and skip != "source":
        q &= Q(source_id__in=[int(pk) for pk in filters["source"]])
    if filters["periode"] and skip != "periode":
        q &= period_filter(filters["periode"][0], now)
    return q


def run_search(queryset, parsed):
    return get_search_backend().search(parsed.as_search_query(), queryset)


def matched_ids(queryset, parsed):
    """The ids of ``queryset``'s documents matching the query, as a subquery."""
    results = run_search(queryset, parsed)
    return results.get_queryset().order_by().values("pk")


def facet_counts(base, parsed, filters, domains_by_slug, domains, sources, now):
    """Counts per facet value, each facet counted under the other facets' filters (so that a
    person sees what choosing another value would give)."""

    def matching(skip):
        narrowed = base.filter(filter_q(filters, domains_by_slug, now, skip=skip))
        return SearchDocument.objects.filter(pk__in=matched_ids(narrowed, parsed))

    by_kind = dict(matching("type").values_list("kind").annotate(n=Count("pk")).order_by())
    by_source = dict(
        matching("source")
        .exclude(source=None)
        .values_list("source_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_domain = dict(
        SearchDocument.domains.through.objects.filter(
            searchdocument_id__in=matching("domaine").values("pk")
        )
        .values_list("domain_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    period_counts = matching("periode").aggregate(
        **{key: Count("pk", filter=period_filter(key, now)) for key, _l, _d in PERIODS}
    )
    groups = [
        (
            "type",
            _("Type"),
            [(v, label, by_kind.get(v, 0)) for v, label in SearchDocument.Kind.choices],
        ),
        ("domaine", _("Domaine"), [(d.slug, d.name, by_domain.get(d.pk, 0)) for d in domains]),
        (
            "source",
            _("Source"),
            [(str(s.pk), s.acronym or s.name, by_source.get(s.pk, 0)) for s in sources],
        ),
        ("periode", _("Période"), [(k, label, period_counts[k]) for k, label, _d in PERIODS]),
    ]
    facets = []
    for name, legend, options in groups:
        chosen = filters[name]
        shown = [
            {"value": v, "label": label, "count": n, "checked": v in chosen}
            for v, label, n in options
            if n or v in chosen
        ]
        if shown:
            facets.append({"name": name, "legend": legend, "options": shown})
    return facets


def suggestion_for(base, parsed):
    """When nothing matches: the same query without one of its words, if that finds something.
    Counted among the documents the person may see, so it never reveals anything else."""
    clauses = parsed.clauses
    if len(clauses) < 2:
        return None
    best = None
    for i in range(min(len(clauses), MAX_SUGGESTION_QUERIES)):
        fewer = analysis.ParsedQuery(clauses=clauses[:i] + clauses[i + 1 :], tokens=parsed.tokens)
        count = run_search(base, fewer).count()
        if count and (best is None or count > best["count"]):
            text = " ".join(" ".join(c[0]) for c in fewer.clauses)
            best = {"text": text, "count": count, "query_string": urlencode({"q": text})}
    return best


def decorate(documents, parsed, now):
    items = []
    for doc in documents:
        items.append(
            {
                "doc": doc,
                "title": analysis.highlight(doc.title, parsed.tokens),
                "excerpt": analysis.excerpt(doc.body, parsed.tokens),
                "domains": list(doc.domains.all()),
            }
        )
    return items


def search(request):
    domains = list(Domain.objects.order_by("name"))
    sources = list(Source.objects.order_by("name"))
    data = request.GET.copy()
    data["q"] = clean_text(data.get("q", ""))  # NUL and other control characters out first
    form = SearchForm(data, domains, sources)
    form.is_valid()
    query = form.cleaned_data.get("q", "")
    filters = form.filters()
    domains_by_slug = {d.slug: d for d in domains}
    parsed = analysis.parse_query(query)
    now = timezone.now()
    messages = []
    if form.truncated:
        messages.append(
            _(
                "Votre recherche était trop longue : seuls ses %(n)d premiers caractères ont été "
                "utilisés."
            )
            % {"n": MAX_QUERY_LENGTH}
        )
    context = {
        "form": form,
        "query": query,
        "filters": filters,
        "has_filters": any(filters.values()),
        "results": None,
        "total": 0,
        "facets": None,
        "suggestion": None,
        "unavailable": False,
        "messages_list": messages,
    }
    if query and parsed.is_empty:
        messages.append(
            _(
                "Votre recherche ne contient que des mots trop courants pour être cherchés "
                "(« le », « de », « pour »…). Ajoutez un mot plus précis."
            )
        )
    if not parsed.is_empty:
        base = visible_documents(request.user)
        narrowed = (
            base.filter(filter_q(filters, domains_by_slug, now))
            .select_related("forum", "source")
            .prefetch_related("domains")
        )
        try:
            with transaction.atomic():
                results = run_search(narrowed, parsed)
                paginator = Paginator(results, RESULTS_PER_PAGE)
                page = paginator.get_page(request.GET.get("page"))
                requested = request.GET.get("page", "1")
                if requested not in {"", str(page.number)}:
                    messages.append(
                        _("La page demandée n'existe pas : voici la page %(n)d.")
                        % {"n": page.number}
                    )
                documents = list(page.object_list)
                context["results"] = page
                context["searched"] = True
                context["items"] = decorate(documents, parsed, now)
                context["total"] = paginator.count
                context["facets"] = facet_counts(
                    base, parsed, filters, domains_by_slug, domains, sources, now
                )
                if paginator.count == 0:
                    context["suggestion"] = suggestion_for(base, parsed)
        except Exception:
            logger.exception("Search failed for %r", query)
            context["unavailable"] = True
            context["results"] = None
    params = [("q", query)] + [(name, v) for name, values in filters.items() for v in values]
    context["query_string"] = urlencode(params)
    context["query_only"] = urlencode({"q": query})
    context["parsed_words"] = [" ".join(words) for words in parsed.words()]
    return render(
        request, "search/search.html", context, status=503 if context["unavailable"] else 200
    )
