"""PostgreSQL full-text search with the ``french_unaccent`` configuration (imported only on
PostgreSQL). Wagtail's backend, plus: search.FilterRow kept with the index, and the compiled
tsquery handed to `search.engine` so that one query counts and one query ranks. See
search/backend.py."""

from django.db import connections
from modelsearch.backends.database.postgres import postgres as wagtail_postgres

from search.models import FilterRow, SearchDocument


class FrenchPostgresIndex(wagtail_postgres.PostgresIndex):
    def add_items(self, model, objs):
        super().add_items(model, objs)
        if model is SearchDocument and objs:
            FilterRow.refresh(objs)


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
