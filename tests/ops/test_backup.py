"""Restore drill, end to end: back up, wipe, restore; the same pages, posts, files and counts.
On SQLite through its online backup API; on PostgreSQL with pg_dump / pg_restore."""

import json
import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from machina.core.db.models import get_model
from wagtail.documents.models import Document
from wagtail.models import Page

from accounts import roles
from ops.backup import row_counts
from tests import factories

Post = get_model("forum_conversation", "Post")
Topic = get_model("forum_conversation", "Topic")

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_wipe_restore_gives_back_the_same_site(site_tree, client, settings, tmp_path):
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and not shutil.which(
        "pg_restore"
    ):
        pytest.skip("pg_dump / pg_restore are not installed (postgresql-client)")
    settings.MEDIA_ROOT = tmp_path / "media"
    guide = factories.make_guide(site_tree.guides, title="Guide des sauvegardes")
    _category, forum = factories.make_category_with_forum("Exploitation", "Forum exploitation")
    author = factories.make_user(roles.STAFF)
    topic = factories.make_topic(forum, author, subject="Restauration testée", replies=3)
    document = Document.objects.create(
        title="Procédure", file=ContentFile(b"%PDF-1.4 procedure", name="procedure.pdf")
    )
    before = row_counts()
    assert before["posts"] == 4

    call_command("backup", directory=str(tmp_path / "backups"))
    [folder] = list((tmp_path / "backups").glob("passerelle-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"] == before
    assert (folder / manifest["database"]).stat().st_size > 0

    # Wipe: the topic, the guide and the uploaded file are gone.
    Topic.objects.filter(pk=topic.pk).delete()
    Page.objects.get(pk=guide.pk).delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    assert client.get(guide.url).status_code == 404
    assert row_counts() != before

    call_command("restore", str(folder), no_input=True)

    assert row_counts() == before
    assert Post.objects.filter(topic_id=topic.pk).count() == 4
    page = client.get(guide.url)
    assert page.status_code == 200 and "Guide des sauvegardes" in page.content.decode()
    restored = Document.objects.get(pk=document.pk)
    with restored.file.open("rb") as file:
        assert file.read() == b"%PDF-1.4 procedure"


def test_restore_refuses_without_confirmation(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", directory=str(tmp_path / "backups"))
    [folder] = list((tmp_path / "backups").glob("passerelle-*"))
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="annulée"):
        call_command("restore", str(folder))
