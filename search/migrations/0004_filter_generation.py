"""search.FilterGeneration: a token that every write to FilterRow changes.

Each worker counts the facets with bitmaps kept in memory (`search.facet_bitmaps`); a search reads
this token in the same statement as its full-text match to know whether they still describe the
index.

- SQLite: row triggers change it as each row is written (SQLite has one writer at a time).
- PostgreSQL: a deferred constraint trigger changes it at commit, after every other write of the
  transaction. Several writers then wait on the token's row only for the moment of their commit,
  and never while holding it: changing it any earlier could deadlock two writers (one holding the
  token's row and waiting for a row the other holds, the other waiting for the token).
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


POSTGRES_TRIGGER = """
CREATE OR REPLACE FUNCTION search_filterrow_changed() RETURNS trigger AS $$
BEGIN
    -- Once per statement that fires it: at commit, once per transaction (a rebuild writes
    -- 57,000 rows; one change of the token is enough).
    IF current_setting('passerelle.filterrow_changed_at', true)
            IS DISTINCT FROM statement_timestamp()::text THEN
        PERFORM set_config('passerelle.filterrow_changed_at', statement_timestamp()::text, true);
        INSERT INTO search_filtergeneration (id, token)
            VALUES (1, floor(random() * 9e18)::bigint)
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS search_filterrow_changed ON search_filterrow;
CREATE CONSTRAINT TRIGGER search_filterrow_changed
    AFTER INSERT OR UPDATE OR DELETE ON search_filterrow
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search_filterrow_changed();
INSERT INTO search_filtergeneration (id, token) VALUES (1, floor(random() * 9e18)::bigint);
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for event in EVENTS:
            schema_editor.execute(TRIGGER.format(event=event, event_sql=event.upper()))
        schema_editor.execute(
            "INSERT INTO search_filtergeneration (id, token) VALUES (1, random())"
        )
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGER)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for event in EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS search_filterrow_after_{event}")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS search_filterrow_changed ON search_filterrow; "
            "DROP FUNCTION IF EXISTS search_filterrow_changed();"
        )


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
