"""Ranking weights (issue 14): guide pages and accepted answers rank above scattered replies.

search.SearchDocument.is_answer marks the reply accepted as its topic's answer; search.FilterRow
gets each document's weight, which the engines multiply into the relevance (`search.engine`).
The existing index is filled in here, so that an upgrade needs no rebuild.
"""

from django.db import migrations, models

WEIGHTS = (("guide", 4.0), ("notice", 2.0))
ANSWER_WEIGHT = 4.0


WEIGHT = models.FloatField(default=1.0)
IS_ANSWER = models.BooleanField(default=False, verbose_name="réponse acceptée")


def add_columns(apps, schema_editor):
    """On SQLite, ALTER TABLE ADD COLUMN: Django's AddField would rebuild search_filterrow, which
    drops its triggers (migration 0004) and trips over the index's trigger (migration 0003)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE search_filterrow ADD COLUMN weight real NOT NULL DEFAULT 1.0"
        )
        schema_editor.execute(
            "ALTER TABLE search_searchdocument ADD COLUMN is_answer bool NOT NULL DEFAULT 0"
        )
        return
    for model_name, name, field in (
        ("FilterRow", "weight", WEIGHT),
        ("SearchDocument", "is_answer", IS_ANSWER),
    ):
        field = field.clone()
        field.set_attributes_from_name(name)
        schema_editor.add_field(apps.get_model("search", model_name), field)


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        if "forum_community_topicsolution" in tables:
            cursor.execute(
                "UPDATE search_searchdocument SET is_answer = %s WHERE post_id IN "
                "(SELECT post_id FROM forum_community_topicsolution)",
                [True],
            )
        for kind, weight in WEIGHTS:
            cursor.execute("UPDATE search_filterrow SET weight = %s WHERE kind = %s", [weight, kind])
        cursor.execute(
            "UPDATE search_filterrow SET weight = %s WHERE document_id IN "
            "(SELECT id FROM search_searchdocument WHERE is_answer = %s)",
            [ANSWER_WEIGHT, True],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_filter_generation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="filterrow", name="weight", field=WEIGHT),
                migrations.AddField(
                    model_name="searchdocument", name="is_answer", field=IS_ANSWER
                ),
            ],
            database_operations=[migrations.RunPython(add_columns, migrations.RunPython.noop)],
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
