"""PostgreSQL full-text search with the ``french_unaccent`` configuration (imported only on
PostgreSQL). Wagtail's backend, plus: search.FilterRow kept with the index, and the compiled
tsquery handed to `search.engine` so that one query counts and one query ranks. See
search/backend.py."""

from django.db import connections
from modelsearch.backends.database.postgres import postgres as wagtail_postgres
from modelsearch.index import AutocompleteField, SearchField
from modelsearch.utils import get_content_type_pk

from search.backend import refresh_title_norms
from search.models import FilterRow, SearchDocument


def vector_sql(texts, config):
    """The SQL (and params) that Wagtail's ``ObjectIndexer.as_vector`` compiles to, for
    ``texts``: (text, weight) pairs, empty ones left out."""
    texts = [(text, weight) for text, weight in texts if text]
    if not texts:
        return "to_tsvector(COALESCE(%s, %s))", ["", ""]
    parts = ["setweight(to_tsvector(%s::regconfig, COALESCE(%s, %s)), %s)"] * len(texts)
    params = [value for text, weight in texts for value in (config, text, "", weight)]
    return f"({' || '.join(parts)})", params


class FrenchPostgresIndex(wagtail_postgres.PostgresIndex):
    def add_items(self, model, objs):
        if model is not SearchDocument:
            super().add_items(model, objs)
        elif objs:
            self.add_documents(objs)
            FilterRow.refresh(objs)

    def add_documents(self, documents):
        """Wagtail's ``add_items`` for search documents: the same statement and the same vectors,
        written as SQL text. Wagtail builds three Django expressions per document and compiles
        them, reading every search field five times; on a rebuild of 50,000 posts that was a
        quarter of the time (`tests/search/test_index.py` checks the vectors are identical)."""
        entries = wagtail_postgres.IndexEntry._meta.db_table
        search_fields = SearchDocument.get_search_fields()
        content_type = get_content_type_pk(SearchDocument)
        rows, params = [], []
        for document in documents:
            indexer = wagtail_postgres.ObjectIndexer(document, self.backend)
            title, body, autocomplete = [], [], []
            for field in search_fields:
                for current, weight, value in indexer.prepare_field(document, field):
                    text = value.strip()
                    if isinstance(current, SearchField):
                        (title if current.field_name == "title" else body).append((text, weight))
                    elif isinstance(current, AutocompleteField):
                        autocomplete.append((text, weight))
            vectors = [
                vector_sql(title, self.backend.config),
                vector_sql(autocomplete, self.backend.autocomplete_config),
                vector_sql(body, self.backend.config),
            ]
            rows.append(f"(%s, %s, {', '.join(sql for sql, _p in vectors)}, 1.0, %s, %s)")
            params += [content_type, str(document.pk)]
            for _sql, vector_params in vectors:
                params += vector_params
            params += [" ".join(t for t, _w in title if t), " ".join(t for t, _w in body if t)]
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {entries} (content_type_id, object_id, title, autocomplete, body, "
                f"title_norm, title_text, body_text) (VALUES {', '.join(rows)}) "
                "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, "
                "title_norm = 1.0, autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, "
                "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text",
                params,
            )
        refresh_title_norms(self)


class FrenchPostgresSearchQueryCompiler(wagtail_postgres.PostgresSearchQueryCompiler):
    def tsquery_sql(self, config):
        """The query as SQL and parameters: ``to_tsquery('french_unaccent', …)``."""
        search_query = self.build_tsquery(self.query, config=config)
        query = SearchDocument.objects.all().query
        connection = connections[SearchDocument.objects.db]
        resolved = search_query.resolve_expression(query)
        sql, params = resolved.as_sql(query.get_compiler(connection=connection), connection)
        return sql, list(params)


class FrenchPostgresAutocompleteQueryCompiler(
    FrenchPostgresSearchQueryCompiler, wagtail_postgres.PostgresAutocompleteQueryCompiler
):
    pass


class FrenchPostgresSearchBackend(wagtail_postgres.PostgresSearchBackend):
    query_compiler_class = FrenchPostgresSearchQueryCompiler
    autocomplete_query_compiler_class = FrenchPostgresAutocompleteQueryCompiler
    index_class = FrenchPostgresIndex
