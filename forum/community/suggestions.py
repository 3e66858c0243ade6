"""Questions find their answers: while a person writes a new topic's title, the topics that
already discuss it (solved ones first) and the guide pages about it, from the one site search.

The search is the site's (`search.engine`), among what the person may read only
(`forum.queries.readable_forum_ids`), so a suggestion never reveals a private forum. A title is
a question, not a query: when every word is not found together, the search is retried with the
title's longer words only, a few times at most (``MAX_QUERIES``), and the results are merged.
"""

from dataclasses import dataclass, field

from machina.core.db.models import get_model

from forum.community.notifications import topic_url
from forum.community.solutions import with_solved
from forum.queries import readable_forum_ids
from search import analysis
from search.engine import NO_FILTERS, search_run
from search.forms import MAX_QUERY_LENGTH, clean_text
from search.models import SearchDocument

Topic = get_model("forum_conversation", "Topic")

MIN_TITLE_LENGTH = 8
MAX_TOPICS = 5
MAX_PAGES = 3
MAX_QUERIES = 4
CANDIDATES = 30


@dataclass
class Suggestions:
    topics: list = field(default_factory=list)  # [{"topic", "url", "solved", "replies"}]
    pages: list = field(default_factory=list)  # [{"title", "url"}]

    def __bool__(self):
        return bool(self.topics or self.pages)


def _queries(title):
    """The parsed title, then shorter versions of it: its longest words first."""
    parsed = analysis.parse_query(clean_text(title)[:MAX_QUERY_LENGTH])
    if parsed.is_empty:
        return []
    queries = [parsed]
    clauses = parsed.clauses
    by_length = sorted(range(len(clauses)), key=lambda i: -len(" ".join(clauses[i][0])))
    for keep in range(len(clauses) - 1, 0, -1):
        if len(queries) >= MAX_QUERIES:
            break
        kept = sorted(by_length[:keep])
        queries.append(
            analysis.ParsedQuery(clauses=[clauses[i] for i in kept], tokens=parsed.tokens)
        )
    return queries


def _ranked(queries, forum_ids, kind, enough):
    """Documents of ``kind`` matching the queries, best first, without repeats."""
    seen, ranked = set(), []
    for parsed in queries:
        filters = {**NO_FILTERS, "type": [kind]}
        for doc in search_run(parsed, forum_ids, filters).page(0, CANDIDATES):
            if doc.pk not in seen:
                seen.add(doc.pk)
                ranked.append(doc)
        if len(ranked) >= enough:
            break
    return ranked


def similar(title, user, exclude_topic=None):
    """Suggestions for a new topic titled ``title`` written by ``user``."""
    if len(clean_text(title)) < MIN_TITLE_LENGTH:
        return Suggestions()
    queries = _queries(title)
    if not queries:
        return Suggestions()
    forum_ids = readable_forum_ids(user)
    topic_ids = []
    for doc in _ranked(queries, forum_ids, SearchDocument.Kind.FORUM, MAX_TOPICS * 3):
        if doc.topic_id and doc.topic_id not in topic_ids and doc.topic_id != exclude_topic:
            topic_ids.append(doc.topic_id)
    rank = {pk: i for i, pk in enumerate(topic_ids)}
    topics = list(
        with_solved(
            Topic.objects.filter(pk__in=topic_ids, approved=True, forum_id__in=forum_ids)
        ).select_related("forum")
    )
    # Solved topics first, each group in the search's order.
    topics.sort(key=lambda t: (not getattr(t, "is_solved", False), rank[t.pk]))
    pages = _ranked(queries, forum_ids, SearchDocument.Kind.GUIDE, MAX_PAGES)[:MAX_PAGES]
    return Suggestions(
        topics=[
            {
                "topic": topic,
                "url": topic_url(topic),
                "solved": getattr(topic, "is_solved", False),
                "replies": max(topic.posts_count - 1, 0),
            }
            for topic in topics[:MAX_TOPICS]
        ],
        pages=[{"title": doc.title, "url": doc.url} for doc in pages],
    )
