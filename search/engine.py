"""Running one search: how many documents match, the count per facet value, and a ranked page.

The view (`search.views`) asks one `SearchRun` for all three, so that the full-text match runs
as few times as the engine allows:

- SQLite (FTS5, `search.sqlite_backend`): the ids matching the query, read in one statement,
  become a bitmap, and the count and every facet count are ANDs with the facet bitmaps that each
  worker keeps (`search.facet_bitmaps`); if the index changed meanwhile, one aggregate over the
  FTS5 match joined to the narrow `search.FilterRow` rows. A page is one ranked FTS5 query.
  For very common words (more than RANK_LIMIT visible matches) bm25 ranks the RANK_LIMIT most
  recently indexed matches and every document with all the words in its title (those first),
  instead of scoring tens of thousands of rows; the count stays exact and the pages stop at
  RANK_LIMIT (the view asks the person to refine). Relevance is multiplied by the document's
  weight (`search.models.document_weight`, kept in FilterRow): guide and practice pages and
  accepted answers ×4, notices ×2, other replies and pages ×1 (issue 14).
- PostgreSQL (`search.postgres_backend`): the same over Wagtail's index entries (GIN index on
  ``title || body``, migration 0003), joined to FilterRow for the page, ranked by ts_rank like
  Wagtail's backend, with the same limit for very common words.
- any other backend (OpenSearch / Elasticsearch): one aggregate for the count and the facets
  (plus one for the domains) over the documents that Wagtail's search framework matches, and the
  framework's own ranked search for the page.

Every count is made among the documents the person may see (`visible_q`), so no facet, total or
suggestion ever reveals a document they may not read. Each facet is counted under the other
facets' filters, so that a person sees what choosing another value would give.
"""

import datetime
from abc import ABC, abstractmethod
from functools import cached_property

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, transaction
from django.db.models import Count, Q
from django.utils import timezone
from modelsearch.backends import get_search_backend

from search import facet_bitmaps
from search.forms import PERIODS
from search.models import FilterRow, SearchDocument

RANK_LIMIT = 500
TITLE_TIER = -1_000_000.0  # added to bm25 (lower is better) for matches of every word in the title
# What a result shows (`search.views.decorate` adds the forum, source and domain names).
SHOWN_FIELDS = (
    "kind",
    "forum_id",
    "topic_id",
    "solved",
    "source_id",
    "archived",
    "title",
    "body",
    "url",
    "date",
)
NO_FILTERS = {"type": [], "domaine": [], "source": [], "forum": [], "periode": []}


def period_start(days, now):
    """Midnight (local time) of the day ``days`` days before ``now``: a period keeps the same
    documents all day long (and the facet bitmaps are rebuilt once a day for it)."""
    day = timezone.localtime(now - datetime.timedelta(days=days))
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def period_bounds(now):
    """(key, start, end) for every period: the documents dated from ``start`` on, or, for the
    last one, before ``end``."""
    bounds = []
    for name, _label, days in PERIODS:
        if days is None:
            bounds.append((name, None, period_start(366, now)))
        else:
            bounds.append((name, period_start(days, now), None))
    return bounds


def period_q(key, now):
    for name, start, end in period_bounds(now):
        if name == key:
            return Q(date__gte=start) if start is not None else Q(date__lt=end)
    return Q()


def search_run_class(backend=None):
    """The `SearchRun` class for ``backend`` (the configured one by default)."""
    compiler = getattr(backend or get_search_backend(), "query_compiler_class", None)
    if hasattr(compiler, "match_strings"):
        return SQLiteSearchRun
    if hasattr(compiler, "tsquery_sql"):
        return PostgresSearchRun
    return SearchRun


def search_run(parsed, forum_ids, filters=None, domains=(), sources=(), now=None):
    """The `SearchRun` for the backend in use."""
    backend = get_search_backend()
    cls = search_run_class(backend)
    return cls(backend, parsed, forum_ids, filters, domains, sources, now)


class SearchRun:
    """Any search backend of Wagtail's framework (OpenSearch, Elasticsearch…)."""

    uses_filter_rows = False

    @property
    def forum_facet(self):
        """Counts per forum, in a search scoped to the forums (machina's search box, "Forum"
        chosen): the forums the person may read, which may be many, so only then."""
        return self.filters["type"] == [SearchDocument.Kind.FORUM] or bool(
            self.filters.get("forum")
        )

    def __init__(self, backend, parsed, forum_ids, filters, domains, sources, now):
        self.backend = backend
        self.parsed = parsed
        self.forum_ids = list(forum_ids)
        self.filters = filters or NO_FILTERS
        self.domains = list(domains)
        self.sources = list(sources)
        self.now = now or timezone.now()
        chosen = set(self.filters["domaine"])
        self.domain_ids = [d.pk for d in self.domains if d.slug in chosen]

    # -- Filters ---------------------------------------------------------------------------------

    def visible_q(self):
        """What the person may see: every page document (only published, public pages are
        indexed) and the approved posts of the forums they may read."""
        return ~Q(kind=SearchDocument.Kind.FORUM) | Q(forum_id__in=self.forum_ids, approved=True)

    def domain_q(self, domain_ids):
        through = SearchDocument.domains.through
        return Q(
            pk__in=through.objects.filter(domain_id__in=domain_ids).values("searchdocument_id")
        )

    def filter_q(self, skip=None):
        """The chosen facet values, all but ``skip``."""
        f, q = self.filters, Q()
        if f["type"] and skip != "type":
            q &= Q(kind__in=f["type"])
        if self.domain_ids and skip != "domaine":
            q &= self.domain_q(self.domain_ids)
        if f["source"] and skip != "source":
            q &= Q(source_id__in=[int(pk) for pk in f["source"]])
        if f.get("forum") and skip != "forum":
            q &= Q(forum_id__in=[int(pk) for pk in f["forum"]])
        if f["periode"] and skip != "periode":
            q &= period_q(f["periode"][0], self.now)
        return q

    # -- The match -------------------------------------------------------------------------------

    @property
    def searchable(self):
        return not self.parsed.is_empty

    def _search(self, queryset):
        return self.backend.search(self.parsed.as_search_query(), queryset)

    def matched(self):
        """The visible documents matching the query (unranked)."""
        visible = SearchDocument.objects.filter(self.visible_q())
        ids = self._search(visible).get_queryset().order_by().values("pk")
        return SearchDocument.objects.filter(pk__in=ids)

    # -- Counts ----------------------------------------------------------------------------------

    def count(self):
        """How many visible documents match the query under the chosen filters."""
        if not self.searchable:
            return 0
        return self.matched().filter(self.filter_q()).count()

    @cached_property
    def counts(self):
        """{"total": n, facet name: {value: n}} for every facet value, in one pass where the
        engine allows."""
        result = {"total": 0, "type": {}, "domaine": {}, "source": {}, "forum": {}, "periode": {}}
        if not self.searchable:
            return result
        aggregates = {"total": Count("pk", filter=self.filter_q())}
        labels = {}

        def add(facet, value, q):
            alias = f"n{len(labels)}"
            labels[alias] = (facet, value)
            aggregates[alias] = Count("pk", filter=self.filter_q(skip=facet) & q)

        for kind in SearchDocument.Kind.values:
            add("type", kind, Q(kind=kind))
        for source in self.sources:
            add("source", source.pk, Q(source_id=source.pk))
        for key, _label, _days in PERIODS:
            add("periode", key, period_q(key, self.now))
        if self.forum_facet:
            for pk in self.forum_ids:
                add("forum", pk, Q(forum_id=pk))
        if self.domains_inline:
            for domain in self.domains:
                add("domaine", domain.pk, self.domain_q([domain.pk]))
        row = self.aggregate(aggregates)
        result["total"] = row.pop("total")
        for alias, n in row.items():
            facet, value = labels[alias]
            result[facet][value] = n
        if not self.domains_inline:
            result["domaine"] = self.domain_counts()
        return result

    domains_inline = False

    def aggregate(self, aggregates):
        return self.matched().aggregate(**aggregates)

    def domain_counts(self):
        through = SearchDocument.domains.through
        documents = self.matched().filter(self.filter_q(skip="domaine")).values("pk")
        return dict(
            through.objects.filter(searchdocument_id__in=documents)
            .values_list("domain_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    # -- A page ----------------------------------------------------------------------------------

    def pageable(self):
        """How many results can be paged through: every match, ranked."""
        return self.counts["total"]

    def page(self, offset, limit):
        """The documents ranked ``offset`` to ``offset + limit``."""
        if not self.searchable or limit <= 0:
            return []
        queryset = SearchDocument.objects.filter(self.visible_q() & self.filter_q())
        return list(self._search(queryset.only(*SHOWN_FIELDS))[offset : offset + limit])


def fts_table():
    from modelsearch.backends.database.sqlite.sqlite import SQLiteFTSIndexEntry

    return SQLiteFTSIndexEntry._meta.db_table


def entries_table():
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("IndexEntry")._meta.db_table


class IndexedSearchRun(SearchRun, ABC):
    """Wagtail's database backends (SQLite FTS5, PostgreSQL) joined to `search.FilterRow`.

    Subclasses give the engine's SQL: `source()` (the FROM and WHERE that match the query and
    join FilterRow) and `ranked_ids()`. Only table names and filters compiled by Django's ORM are
    interpolated into SQL; words, filter values and numbers are always parameters.
    """

    domains_inline = True
    uses_filter_rows = True
    rows = FilterRow._meta.db_table

    def domain_q(self, domain_ids):
        q = Q()
        for pk in domain_ids:
            q |= Q(domain_keys__contains=f" {pk} ")
        return q

    @abstractmethod
    def source(self, title_only=False):
        """(SQL, params): ``FROM … WHERE …`` matching the query (in titles only, with
        ``title_only``), joined to FilterRow."""

    @abstractmethod
    def matched_ids_sql(self):
        """(SQL, params) of one row: FilterGeneration's token and the ids of the index entries
        matching the query, comma-separated (NULL when none), read in one statement."""

    @abstractmethod
    def ranked_ids(self, where, offset, limit):
        """Rows of one document id each, ranked, under ``where`` (SQL, params) on FilterRow."""

    def _where(self, q):
        """``q`` over FilterRow as SQL on its table (no alias)."""
        query = FilterRow.objects.filter(q).query
        connection = connections[FilterRow.objects.db]
        try:
            sql, params = query.get_compiler(connection=connection).compile(query.where)
        except EmptyResultSet:
            return "0=1", []
        except FullResultSet:
            return "1=1", []
        return (sql or "1=1"), list(params)

    def _fetch(self, sql, params):
        with connections[FilterRow.objects.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def aggregate(self, aggregates):
        """Every count in one pass over the match, joined row by row to FilterRow."""
        columns, params = [], []
        for count in aggregates.values():
            where, where_params = self._where(count.filter or Q())
            columns.append(f"COUNT(*) FILTER (WHERE {where})")
            params.extend(where_params)
        source, source_params = self.source()
        visible, visible_params = self._where(self.visible_q())
        sql = f"SELECT {', '.join(columns)} {source} AND {visible}"
        row = self._fetch(sql, [*params, *source_params, *visible_params])[0]
        return dict(zip(aggregates, row, strict=True))

    @cached_property
    def counts(self):
        """Counted with the facet bitmaps (`search.facet_bitmaps`), or in SQL when the index
        changed between the match and the bitmaps."""
        if not self.searchable:
            return super().counts
        alias = FilterRow.objects.db
        token, matched = facet_bitmaps.matched(self._fetch(*self.matched_ids_sql()))
        facets = None
        if token is not None:
            facets = facet_bitmaps.facet_bitmaps(alias, token, period_bounds(self.now))
        if facets is None:
            return super().counts
        return self.bitmap_counts(facets, matched)

    def bitmap_counts(self, facets, matched):
        f = self.filters

        def any_of(bitmaps, keys):
            """The documents with any of ``keys``; None when no value is chosen (no filter)."""
            return facet_bitmaps.union(bitmaps.get(k, 0) for k in keys) if keys else None

        chosen = {
            "type": any_of(facets.kinds, f["type"]),
            "domaine": any_of(facets.domains, self.domain_ids),
            "source": any_of(facets.sources, [int(pk) for pk in f["source"]]),
            "forum": any_of(facets.forums, [int(pk) for pk in f.get("forum", [])]),
            "periode": facets.periods.get(f["periode"][0]) if f["periode"] else None,
        }
        base = matched & facets.visible(self.forum_ids)

        def under(skip):
            result = base
            for name, chosen_bitmap in chosen.items():
                if chosen_bitmap is not None and name != skip:
                    result &= chosen_bitmap
            return result

        def counted(skip, values, bitmaps):
            among = under(skip)
            return {value: (among & bitmaps.get(value, 0)).bit_count() for value in values}

        return {
            "total": under(None).bit_count(),
            "type": counted("type", SearchDocument.Kind.values, facets.kinds),
            "domaine": counted("domaine", [d.pk for d in self.domains], facets.domains),
            "source": counted("source", [s.pk for s in self.sources], facets.sources),
            "forum": (counted("forum", self.forum_ids, facets.forums) if self.forum_facet else {}),
            "periode": counted("periode", list(facets.periods), facets.periods),
        }

    def count(self):
        return self.counts["total"]

    def pageable(self):
        # Title matches ranked first may add a few documents beyond the limit: never more pages
        # than the limit allows.
        return min(self.counts["total"], RANK_LIMIT)

    def page(self, offset, limit):
        limit = min(limit, self.pageable() - offset)
        if not self.searchable or limit <= 0:
            return []
        where = self._where(self.visible_q() & self.filter_q())
        ids = [row[0] for row in self.ranked_ids(where, offset, limit)]
        documents = SearchDocument.objects.filter(pk__in=ids).only(*SHOWN_FIELDS)
        by_id = {doc.pk: doc for doc in documents}
        return [by_id[pk] for pk in ids if pk in by_id]


class SQLiteSearchRun(IndexedSearchRun):
    """SQLite FTS5 through `search.sqlite_backend`."""

    @cached_property
    def match(self):
        compiler = self.backend.query_compiler_class(
            SearchDocument.objects.none(), self.parsed.as_search_query()
        )
        return compiler.match_strings()

    @property
    def searchable(self):
        return not self.parsed.is_empty and self.match is not None

    def matched_ids_sql(self):
        fts, token = fts_table(), facet_bitmaps.TOKEN_SQL
        sql = f"SELECT {token}, group_concat(rowid) FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608
        return sql, [self.match[0]]

    def source(self, title_only=False):
        # CROSS JOIN keeps FTS5 first: SQLite then walks the matches, never the whole table.
        fts = fts_table()
        return (
            f"FROM {fts} CROSS JOIN {self.rows} ON {self.rows}.entry_id = {fts}.rowid "
            f"WHERE {fts} MATCH %s",
            [self.match[1 if title_only else 0]],
        )

    def ranked_ids(self, where, offset, limit):
        """Ranked by bm25 (title weighs 3, body 1) times the document's weight (bm25 is
        negative, lower is better: a weight of 4 makes it four times better); see the module's
        docstring for very common words."""
        fts, rows = fts_table(), self.rows
        where, where_params = where
        score = f"bm25({fts}, 0.0, 1.0, 3.0) * {rows}.weight"
        if self.counts["total"] <= RANK_LIMIT:
            source, source_params = self.source()
            sql = (
                f"SELECT {rows}.document_id {source} AND {where} "
                f"ORDER BY {score}, {fts}.rowid DESC LIMIT %s OFFSET %s"
            )
            return self._fetch(sql, [*source_params, *where_params, limit, offset])
        arms, params = [], []
        for title_only, tier in ((True, TITLE_TIER), (False, 0.0)):
            source, source_params = self.source(title_only)
            arms.append(
                f"SELECT * FROM (SELECT {rows}.document_id AS doc, {score} + %s AS score, "  # noqa: S608
                f"{fts}.rowid AS rid {source} AND {where} ORDER BY {fts}.rowid DESC LIMIT %s)"
            )
            params += [tier, *source_params, *where_params, RANK_LIMIT]
        sql = (
            f"SELECT doc FROM ({arms[0]} UNION ALL {arms[1]}) GROUP BY doc "  # noqa: S608
            "ORDER BY MIN(score), MAX(rid) DESC LIMIT %s OFFSET %s"
        )
        return self._fetch(sql, [*params, limit, offset])


class PostgresSearchRun(IndexedSearchRun):
    """PostgreSQL full-text search through `search.postgres_backend` (``french_unaccent``)."""

    def _fetch(self, sql, params):
        # The planner does not price the ``title || body`` concatenation that a sequential scan
        # computes for every entry: for words in most documents it picks that scan, 2.5 times
        # slower than the GIN index (235 ms against 95 ms at 41,000 matches of 57,000). The
        # setting is local to this transaction.
        connection = connections[FilterRow.objects.db]
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, params)
            return cursor.fetchall()

    @cached_property
    def tsquery(self):
        compiler = self.backend.query_compiler_class(
            SearchDocument.objects.none(), self.parsed.as_search_query()
        )
        return compiler.tsquery_sql(self.backend.config)

    def matched_ids_sql(self):
        entries, (tsquery, params) = entries_table(), self.tsquery
        sql = (
            f"SELECT {facet_bitmaps.TOKEN_SQL}, string_agg(CAST(id AS TEXT), ',') "  # noqa: S608
            f"FROM {entries} WHERE ({entries}.title || {entries}.body) @@ {tsquery}"
        )
        return sql, list(params)

    def source(self, title_only=False):
        # ``title || body`` is what Wagtail matches; migration 0003 gives it a GIN index.
        entries, (tsquery, params) = entries_table(), self.tsquery
        vector = f"{entries}.title" if title_only else f"({entries}.title || {entries}.body)"
        return (
            f"FROM {entries} JOIN {self.rows} ON {self.rows}.entry_id = {entries}.id "
            f"WHERE {vector} @@ {tsquery}",
            list(params),
        )

    def ranked_ids(self, where, offset, limit):
        """Ranked like Wagtail's backend: ts_rank of the title (normalised by its length, weighing
        3) plus ts_rank of the body, times the document's weight; see the module's docstring for
        very common words."""
        entries, rows = entries_table(), self.rows
        where, where_params = where
        tsquery, tsquery_params = self.tsquery
        score = (
            f"(ts_rank({entries}.title, {tsquery}) * {entries}.title_norm * 3 "
            f"+ ts_rank({entries}.body, {tsquery})) * {rows}.weight"
        )
        score_params = [*tsquery_params, *tsquery_params]
        if self.counts["total"] <= RANK_LIMIT:
            source, source_params = self.source()
            sql = (
                f"SELECT {rows}.document_id {source} AND {where} "
                f"ORDER BY {score} DESC, {entries}.id DESC LIMIT %s OFFSET %s"
            )
            params = [*source_params, *where_params, *score_params, limit, offset]
            return self._fetch(sql, params)
        # The candidates first (ids only, newest first), then the score for them alone.
        arms, params = [], []
        for title_only, tier in ((True, 1), (False, 0)):
            source, source_params = self.source(title_only)
            arms.append(
                f"(SELECT {entries}.id AS id, {tier} AS tier {source} AND {where} "
                f"ORDER BY {entries}.id DESC LIMIT %s)"
            )
            params += [*source_params, *where_params, RANK_LIMIT]
        sql = (
            f"WITH candidates AS ({arms[0]} UNION ALL {arms[1]}), "  # noqa: S608
            "best AS (SELECT id, MAX(tier) AS tier FROM candidates GROUP BY id) "
            f"SELECT {rows}.document_id FROM best "
            f"JOIN {entries} ON {entries}.id = best.id JOIN {rows} ON {rows}.entry_id = best.id "
            f"ORDER BY best.tier DESC, {score} DESC, best.id DESC LIMIT %s OFFSET %s"
        )
        return self._fetch(sql, [*params, *score_params, limit, offset])


class Results:
    """A run's ranked results as the sequence Django's Paginator pages through."""

    def __init__(self, run):
        self.run = run

    def count(self):
        return self.run.pageable()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            start = index.start or 0
            stop = self.count() if index.stop is None else index.stop
            return self.run.page(start, stop - start)
        return self.run.page(index, 1)[0]
