"""/recherche/: one ranked list of guides, notices and forum posts, with facets.

The view stays thin: the query is parsed into plain words (`search.analysis`); one
`search.engine.SearchRun` gives the count, the facets and the ranked page, among the documents
the person may see only, through Wagtail's search framework (`search.backend`).
"""

import contextlib
import logging

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from machina.core.db.models import get_model

from forum.queries import readable_forum_ids
from kb.models import Domain
from notices.models import Source
from search import analysis
from search.engine import Results, search_run
from search.forms import MAX_QUERY_LENGTH, PERIODS, SearchForm, clean_text
from search.models import SearchDocument

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 20
MAX_SUGGESTION_QUERIES = 4


def isolated_failure():
    """A savepoint when the request already runs in a transaction, so that a search error
    leaves it usable; none otherwise (on SQLite a transaction would take the write lock and
    serialise every search)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def forum_names(forum_ids):
    Forum = get_model("forum", "Forum")
    return list(
        Forum.objects.filter(pk__in=forum_ids, type=Forum.FORUM_POST)
        .order_by("tree_id", "lft")
        .values_list("pk", "name")
    )


def facet_groups(counts, filters, domains, sources, forums=()):
    """The facets to show: each value with its count (values with none are left out unless
    chosen). ``forums``: (id, name) of the readable forums, in a search scoped to the forums."""
    groups = [
        (
            "type",
            _("Type"),
            [(v, label, counts["type"].get(v, 0)) for v, label in SearchDocument.Kind.choices],
        ),
        (
            "domaine",
            _("Domaine"),
            [(d.slug, d.name, counts["domaine"].get(d.pk, 0)) for d in domains],
        ),
        (
            "source",
            _("Source"),
            [(str(s.pk), s.acronym or s.name, counts["source"].get(s.pk, 0)) for s in sources],
        ),
        ("forum", _("Forum"), [(str(pk), name, counts["forum"].get(pk, 0)) for pk, name in forums]),
        (
            "periode",
            _("Période"),
            [(k, label, counts["periode"].get(k, 0)) for k, label, _d in PERIODS],
        ),
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


def suggestion_for(parsed, forum_ids):
    """When nothing matches: the same query without one of its words, if that finds something.
    Counted among the documents the person may see, so it never reveals anything else."""
    clauses = parsed.clauses
    if len(clauses) < 2:
        return None
    best = None
    for i in range(min(len(clauses), MAX_SUGGESTION_QUERIES)):
        fewer = analysis.ParsedQuery(clauses=clauses[:i] + clauses[i + 1 :], tokens=parsed.tokens)
        count = search_run(fewer, forum_ids).count()
        if count and (best is None or count > best["count"]):
            text = " ".join(" ".join(c[0]) for c in fewer.clauses)
            best = {"text": text, "count": count, "query_string": urlencode({"q": text})}
    return best


def decorate(documents, parsed, domains, sources):
    """What each result shows: highlighted title and excerpt, forum, source and domain names
    (``domains`` and ``sources``: every one, in display order; two small queries for the page)."""
    ids = [doc.pk for doc in documents]
    links = {}
    for doc_id, domain_id in SearchDocument.domains.through.objects.filter(
        searchdocument_id__in=ids
    ).values_list("searchdocument_id", "domain_id"):
        links.setdefault(doc_id, set()).add(domain_id)
    forums = dict(
        get_model("forum", "Forum")
        .objects.filter(pk__in={doc.forum_id for doc in documents if doc.forum_id})
        .values_list("pk", "name")
    )
    sources_by_pk = {source.pk: source for source in sources}
    return [
        {
            "doc": doc,
            "title": analysis.highlight(doc.title, parsed.tokens),
            "excerpt": analysis.excerpt(doc.body, parsed.tokens),
            "forum_name": forums.get(doc.forum_id, ""),
            "source": sources_by_pk.get(doc.source_id),
            "domains": [d for d in domains if d.pk in links.get(doc.pk, ())],
        }
        for doc in documents
    ]


def group_by_topic(items):
    """The page's results with the posts of one topic under its best-ranked one (``more``), so
    that one busy topic does not fill the page; every other result keeps its rank."""
    grouped, by_topic = [], {}
    for item in items:
        doc = item["doc"]
        topic_id = doc.topic_id if doc.kind == SearchDocument.Kind.FORUM else None
        if topic_id is not None and topic_id in by_topic:
            by_topic[topic_id]["more"].append(item)
            continue
        entry = {**item, "more": []}
        if topic_id is not None:
            by_topic[topic_id] = entry
        grouped.append(entry)
    return grouped


def search(request):
    domains = list(Domain.objects.order_by("name"))
    sources = list(Source.objects.order_by("name"))
    data = request.GET.copy()
    data["q"] = clean_text(data.get("q", ""))  # NUL and other control characters out first
    forum_ids = readable_forum_ids(request.user)
    form = SearchForm(data, domains, sources, forum_ids)
    form.is_valid()
    query = form.cleaned_data.get("q", "")
    filters = form.filters()
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
        run = search_run(parsed, forum_ids, filters, domains, sources, now)
        try:
            with isolated_failure():
                paginator = Paginator(Results(run), RESULTS_PER_PAGE)
                page = paginator.get_page(request.GET.get("page"))
                requested = request.GET.get("page", "1")
                if requested not in {"", str(page.number)}:
                    messages.append(
                        _("La page demandée n'existe pas : voici la page %(n)d.")
                        % {"n": page.number}
                    )
                counts = run.counts
                context["results"] = page
                context["searched"] = True
                context["items"] = decorate(list(page.object_list), parsed, domains, sources)
                context["grouped"] = group_by_topic(context["items"])
                context["total"] = counts["total"]
                shown = paginator.count
                context["ranked_only"] = shown if shown < counts["total"] else None
                forums = forum_names(forum_ids) if run.forum_facet else ()
                context["facets"] = facet_groups(counts, filters, domains, sources, forums)
                if counts["total"] == 0:
                    context["suggestion"] = suggestion_for(parsed, forum_ids)
        except Exception:  # the database, or an external cluster's own client errors
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
