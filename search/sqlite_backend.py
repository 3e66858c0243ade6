"""SQLite FTS5 with French analysis in Python (imported only on SQLite: Wagtail's SQLite module
needs the FTS table that exists only there). See search/backend.py."""

from functools import cached_property, reduce

from django.db import connections
from django.db.models import Case, Value, When
from django.db.models.expressions import RawSQL
from modelsearch.backends.database.sqlite import sqlite as wagtail_sqlite
from modelsearch.backends.database.sqlite.query import (
    CombinedSearchQueryExpression,
    MatchExpression,
    SearchQueryExpression,
)
from modelsearch.query import And, MatchAll, Or, Phrase, PlainText
from modelsearch.utils import get_content_type_pk

from search.analysis import index_text, word_token, words
from search.backend import refresh_title_norms
from search.models import FilterRow, SearchDocument


class FrenchObjectIndexer(wagtail_sqlite.ObjectIndexer):
    @cached_property
    def title(self):
        return index_text(super().title)

    @cached_property
    def body(self):
        return index_text(super().body)


class FrenchSQLiteIndex(wagtail_sqlite.SQLiteIndex):
    indexer_class = FrenchObjectIndexer

    def add_items(self, model, objs):
        # Wagtail's SQLiteIndex.add_items with our indexer: same upsert, analysed text.
        if not model.get_search_fields():
            return
        indexers = [self.indexer_class(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        data = {ix.id: (ix.title, ix.autocomplete, ix.body) for ix in indexers}
        entries = self.entries.filter(content_type_id=content_type_pk)
        indexed_ids = frozenset(
            entries.filter(object_id__in=data.keys()).values_list("object_id", flat=True)
        )
        for object_id in indexed_ids:
            title, autocomplete, body = data[object_id]
            entries.filter(object_id=object_id).update(
                title=title, autocomplete=autocomplete, body=body
            )
        self.entries.bulk_create(
            [
                wagtail_sqlite.IndexEntry(
                    content_type_id=content_type_pk,
                    object_id=object_id,
                    title=title,
                    autocomplete=autocomplete,
                    body=body,
                )
                for object_id, (title, autocomplete, body) in data.items()
                if object_id not in indexed_ids
            ]
        )
        if model is SearchDocument:
            FilterRow.refresh(objs)
        refresh_title_norms(self)


def _analysed(text):
    return " ".join(filter(None, map(word_token, words(text))))


class FrenchSQLiteSearchQueryCompiler(wagtail_sqlite.SQLiteSearchQueryCompiler):
    def build_search_query_content(self, query, config=None):
        if isinstance(query, PlainText):
            terms = [token for token in map(word_token, words(query.query_string)) if token]
            if not terms:
                return None
            lexemes = [wagtail_sqlite.Lexeme(term) for term in terms]
            if query.operator.upper() == "AND":
                combined = reduce(lambda a, b: a & b, lexemes)
            else:
                combined = reduce(lambda a, b: a | b, lexemes)
            return SearchQueryExpression(combined, config=config)
        if isinstance(query, Phrase):
            phrase = _analysed(query.query_string)
            return SearchQueryExpression(phrase) if phrase else None
        if isinstance(query, (And, Or)):
            parts = [
                self.build_search_query_content(sub, config=config) for sub in query.subqueries
            ]
            parts = [part for part in parts if part is not None]
            if not parts:
                return None
            if isinstance(query, And):
                return reduce(lambda a, b: a & b, parts)
            return reduce(lambda a, b: a | b, parts)
        return super().build_search_query_content(query, config=config)

    def match_strings(self):
        """FTS5 MATCH strings for the query: over the title and the body, and over the title
        alone; None when no word is left to search (stop words only)."""
        built = self.build_search_query(wagtail_sqlite.normalize(self.query), config=None)
        if built is None or not isinstance(
            built, (SearchQueryExpression, CombinedSearchQueryExpression)
        ):
            return None
        connection = connections[self.queryset.db]
        compiler = self.queryset.query.get_compiler(connection=connection)
        full = MatchExpression(self.FTS_TABLE_FIELDS, built).as_sql(compiler, connection)[1][0]
        title = MatchExpression(["title"], built).as_sql(compiler, connection)[1][0]
        return full, title

    def search(self, config, start, stop, score_field=None):
        """Wagtail's version scores every match with a correlated subquery that runs the FTS
        query again per row (seconds at 50,000 documents). Here FTS5 runs once: unranked, as a
        subquery of matching ids (counts, facets); ranked, as one query ordered by bm25 that
        returns the requested page of ids."""
        built = self.build_search_query(wagtail_sqlite.normalize(self.query), config=config)
        if built is None:
            return self.queryset.none()
        if isinstance(self.query, MatchAll) or not isinstance(
            built, (SearchQueryExpression, CombinedSearchQueryExpression)
        ):
            return super().search(config, start, stop, score_field=score_field)
        connection = connections[self.queryset.db]
        compiler = self.queryset.query.get_compiler(connection=connection)
        _sql, match = MatchExpression(self.FTS_TABLE_FIELDS, built).as_sql(compiler, connection)
        fts = wagtail_sqlite.SQLiteFTSIndexEntry._meta.db_table
        entries = wagtail_sqlite.IndexEntry._meta.db_table
        content_type = get_content_type_pk(self.queryset.model)
        # CROSS JOIN: SQLite keeps this order, FTS5 first (else it may walk the whole index
        # table and probe FTS5 once per row). Only table names are interpolated, never input.
        matching = (
            f"SELECT CAST(ie.object_id AS INTEGER) FROM {fts} "  # noqa: S608
            f"CROSS JOIN {entries} ie ON ie.id = {fts}.rowid "
            f"WHERE {fts} MATCH %s AND ie.content_type_id = %s"
        )
        params = [match[0], content_type]
        if stop is None or not self.order_by_relevance:
            queryset = self.queryset.filter(pk__in=RawSQL(matching, params))  # noqa: S611
            if not queryset.query.order_by:
                queryset = queryset.order_by("-pk")
            return queryset[start:stop]
        inner_sql, inner_params = self.queryset.order_by().values("pk").query.sql_with_params()
        ranked = (
            f"{matching} AND CAST(ie.object_id AS INTEGER) IN ({inner_sql}) "
            f"ORDER BY bm25({fts}, 0.0, 1.0, 3.0), ie.id DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(ranked, [*params, *inner_params, stop - (start or 0), start or 0])
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return self.queryset.none()
        order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)])
        return self.queryset.filter(pk__in=ids).order_by(order)


class FrenchSQLiteAutocompleteQueryCompiler(
    FrenchSQLiteSearchQueryCompiler, wagtail_sqlite.SQLiteAutocompleteQueryCompiler
):
    pass


class FrenchSQLiteSearchBackend(wagtail_sqlite.SQLiteSearchBackend):
    query_compiler_class = FrenchSQLiteSearchQueryCompiler
    autocomplete_query_compiler_class = FrenchSQLiteAutocompleteQueryCompiler
    index_class = FrenchSQLiteIndex
