"""Forum attachments: stored outside the public media root under names nobody can derive from
the file's name, moved there from machina's public location, and served only by the checked view
(streamed, or handed to nginx with X-Accel-Redirect)."""

import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command

from tests.forum.world import PDF, Attachment, attach, attachment_url, build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return build_world()


def test_stored_outside_media_root_under_a_random_name(world, settings):
    attachment = world.private_attachment
    path = Path(attachment.file.path).resolve()
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in path.parents
    assert Path(settings.MEDIA_ROOT).resolve() not in path.parents
    assert not any(Path(settings.MEDIA_ROOT).rglob("secret.pdf"))
    # The original name is kept (for Content-Disposition) behind a random directory.
    assert attachment.filename == "secret.pdf"
    token = attachment.file.name.split("/")[1]
    assert len(token) >= 22
    other = attach(world.private_topic.first_post, "secret.pdf")
    assert other.file.name != attachment.file.name
    assert other.file.name.split("/")[1] != token
    # Its only address is the permission-checked view.
    assert attachment.file.url == attachment_url(attachment)


def test_download_refuses_outsiders_and_serves_members(client_for, world):
    url = attachment_url(world.private_attachment)
    assert client_for(world.staff_b).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 404
    response = client_for(world.staff_a).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="secret.pdf"'
    assert response["Content-Type"] == "application/octet-stream"
    assert "X-Accel-Redirect" not in response


def test_accel_redirect_prefix_hands_the_file_to_nginx(client_for, world, settings):
    settings.PASSERELLE_ACCEL_REDIRECT_PREFIX = "/_prive"
    attachment = attach(world.private_topic.first_post, "compte rendu é.pdf")
    response = client_for(world.staff_a).get(attachment_url(attachment))
    assert response.status_code == 200
    assert response.content == b""
    token = attachment.file.name.split("/")[1]
    assert response["X-Accel-Redirect"] == (f"/_prive/attachments/{token}/compte_rendu_%C3%A9.pdf")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''compte")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Outsiders still get the 404, never the header.
    refused = client_for(world.staff_b).get(attachment_url(attachment))
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_files_in_the_public_media_root_are_moved(world, settings):
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    old_name = public.save("machina/attachments/ancien.pdf", ContentFile(PDF))
    Attachment.objects.filter(pk=world.public_attachment.pk).update(file=old_name)
    call_command("move_attachments_private")
    attachment = Attachment.objects.get(pk=world.public_attachment.pk)
    assert attachment.file.name.startswith("attachments/")
    assert attachment.filename == "ancien.pdf"
    assert not public.exists(old_name)
    assert os.path.exists(attachment.file.path)
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF
    # Run again: nothing more to move, nothing broken.
    call_command("move_attachments_private")
    assert Attachment.objects.get(pk=attachment.pk).file.name == attachment.file.name


def _refuse_anonymous_download(forum):
    from machina.core.db.models import get_model

    UserForumPermission = get_model("forum_permission", "UserForumPermission")
    ForumPermission = get_model("forum_permission", "ForumPermission")
    UserForumPermission.objects.create(
        forum=forum,
        permission=ForumPermission.objects.get(codename="can_download_file"),
        anonymous_user=True,
        has_perm=False,
    )


def test_anonymous_readers_download_what_the_public_topic_shows(client_for, world):
    from tests.forum.world import topic_url

    link = attachment_url(world.public_attachment)
    page = client_for(None).get(topic_url(world.public_topic)).content.decode()
    assert f'href="{link}"' in page
    response = client_for(None).get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_where_anonymous_may_not_download_the_link_is_not_shown(client_for, world):
    from tests.forum.world import topic_url

    _refuse_anonymous_download(world.rh_forum)
    link = attachment_url(world.public_attachment)
    page = client_for(None).get(topic_url(world.public_topic)).content.decode()
    assert "Paie à distance" in page  # the topic itself is still public
    assert link not in page
    response = client_for(None).get(link)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    # Signed-in staff still see and get it.
    assert link in client_for(world.staff_b).get(topic_url(world.public_topic)).content.decode()
    assert client_for(world.staff_b).get(link).status_code == 200
