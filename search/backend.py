"""Wagtail's database search backend with French analysis.

Settings name this module (``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "search.backend"``).
Like ``wagtail.search.backends.database`` it picks the implementation from the database in use:

- SQLite: FTS5, with every indexed text and every query word analysed in Python
  (`search.analysis`: accents removed, French Snowball stemming, stop words dropped);
- PostgreSQL: full-text search with the ``french_unaccent`` configuration created by
  ``search/migrations/0002_french_unaccent.py`` (``unaccent`` then ``french_stem``), on the GIN
  indexes of Wagtail's index table;
- anything else: Wagtail's own fallback.

Query words always arrive as modelsearch query objects built from plain words
(`search.analysis.parse_query`), never as engine syntax.
"""

import contextlib
import contextvars

from django.db import connection

POSTGRES_CONFIG = "french_unaccent"

_title_norms_deferred = contextvars.ContextVar("title_norms_deferred", default=False)


@contextlib.contextmanager
def title_norms_deferred():
    """Within the block, indexing leaves the title norm of new entries (Wagtail's weight for the
    length of a title) at 1.0 instead of recomputing the norms after every batch, which reads the
    whole index (0.3 s per batch on PostgreSQL at 57,000 entries); the caller refreshes them all
    once at the end (`search.indexing.rebuild`)."""
    token = _title_norms_deferred.set(True)
    try:
        yield
    finally:
        _title_norms_deferred.reset(token)


def refresh_title_norms(index):
    """Wagtail's refresh of the new entries' title norms, unless deferred."""
    if not _title_norms_deferred.get():
        index._refresh_title_norms()


def SearchBackend(params):  # Wagtail looks this name up in the module
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.utils import fts5_available

        if fts5_available():
            from search.sqlite_backend import FrenchSQLiteSearchBackend

            return FrenchSQLiteSearchBackend(params)
    if connection.vendor == "postgresql":
        from search.postgres_backend import FrenchPostgresSearchBackend

        return FrenchPostgresSearchBackend({"SEARCH_CONFIG": POSTGRES_CONFIG, **params})
    from modelsearch.backends.database import SearchBackend as DefaultBackend

    return DefaultBackend(params)
