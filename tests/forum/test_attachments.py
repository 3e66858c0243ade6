"""Attachment uploads: allowlist, size limit, type read from the content; what was written is kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.forum.world import FORMSETS, PDF, Post, build_world, reply_url

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def post_with_file(client, topic, upload, content="Voir la pièce jointe"):
    data = {
        "subject": "Re",
        "content": content,
        **FORMSETS,
        "attachment-TOTAL_FORMS": 1,
        "attachment-0-file": upload,
        "attachment-0-comment": "",
    }
    return client.post(reply_url(topic), data)


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("procedure.pdf", PDF, True),
        ("schema.png", PNG, True),
        ("notes.txt", "Texte accentué éàü\n".encode(), True),
        ("script.exe", b"MZ\x90\x00", False),
        ("page.html", b"<script>alert(1)</script>", False),
        ("faux.pdf", b"<html><script>alert(1)</script></html>", False),
        ("image.png", PDF, False),
        ("binaire.txt", b"\x00\x01\x02\xff\xfe", False),
    ],
)
def test_allowlist_and_type_from_content(client_for, world, name, content, accepted):
    client = client_for(world.staff_b)
    response = post_with_file(
        client, world.public_topic, SimpleUploadedFile(name, content), f"Avec {name}"
    )
    saved = Post.objects.filter(content=f"Avec {name}").first()
    if accepted:
        assert response.status_code == 302
        assert saved.attachments.count() == 1
    else:
        assert response.status_code == 200
        html = response.content.decode()
        assert "accepté" in html or "ne correspond pas" in html
        assert f"Avec {name}" in html  # the text is kept in the form
        assert saved is None


def test_size_limit(client_for, world, settings):
    settings.PASSERELLE_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * 2048)
    response = post_with_file(client_for(world.staff_b), world.public_topic, big, "Trop gros")
    assert response.status_code == 200
    assert "la limite est de 1,0" in response.content.decode()
    assert not Post.objects.filter(content="Trop gros").exists()


def test_download_is_never_rendered_inline(client_for, world):
    from tests.forum.world import attach, attachment_url

    attachment = attach(world.public_topic.first_post, "page.txt", b"<html><script>x</script>")
    response = client_for(world.staff_a).get(attachment_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith('attachment; filename="page')
    assert response["X-Content-Type-Options"] == "nosniff"
