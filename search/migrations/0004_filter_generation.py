"""search.FilterGeneration: a token that every write to FilterRow changes (SQLite only).

The SQLite search counts its facets with bitmaps kept in each worker's memory
(`search.facet_bitmaps`); it reads this token in the same statement as the full-text match to know
whether they still describe the index. PostgreSQL counts in SQL and needs no token.
"""

from django.db import migrations, models

EVENTS = ("insert", "update", "delete")
TRIGGER = """
CREATE TRIGGER IF NOT EXISTS search_filterrow_after_{event}
AFTER {event_sql} ON search_filterrow BEGIN
    INSERT INTO search_filtergeneration (id, token)
        SELECT 1, random() WHERE NOT EXISTS (SELECT 1 FROM search_filtergeneration WHERE id = 1);
    UPDATE search_filtergeneration SET token = random() WHERE id = 1;
END
"""
# (No INSERT OR REPLACE: the conflict clause of the statement that fires a trigger overrides the
# trigger's own, and Django's upserts of FilterRow would make it fail. A flush empties the table:
# the first write after it inserts the row again.)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for event in EVENTS:
        schema_editor.execute(TRIGGER.format(event=event, event_sql=event.upper()))
    schema_editor.execute("INSERT INTO search_filtergeneration (id, token) VALUES (1, random())")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for event in EVENTS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS search_filterrow_after_{event}")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_filter_rows")]

    operations = [
        migrations.CreateModel(
            name="FilterGeneration",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField(null=True)),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
