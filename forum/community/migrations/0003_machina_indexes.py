"""Indexes machina lacks for its latest-posts, topic-list and unread queries.

machina's tables belong to machina's migrations, so they are added here with plain SQL that
works on SQLite and PostgreSQL, and that reverses cleanly.
"""

from django.db import migrations

INDEXES = [
    # A forum's topic list (ordered by type then last post) and unread topics since a date.
    ("forum_topic_list_idx", "forum_conversation_topic", "forum_id, approved, type, last_post_on"),
    # Recently active topics across readable forums (home page, feeds).
    ("forum_topic_recent_idx", "forum_conversation_topic", "approved, last_post_on"),
    # A topic's posts in order, its last approved post, a post's position.
    ("forum_post_topic_idx", "forum_conversation_post", "topic_id, approved, created"),
    # A member's posts, latest first; posts awaiting approval.
    ("forum_post_poster_idx", "forum_conversation_post", "poster_id, created"),
    ("forum_post_approved_idx", "forum_conversation_post", "approved, created"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("forum_community", "0002_report_kept_after_post_deletion"),
        ("forum_conversation", "0013_auto_20201220_1745"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
