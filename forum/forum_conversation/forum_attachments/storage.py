"""Forum attachments live outside the public media root, under names nobody can guess.

The reverse proxy serves ``MEDIA_ROOT`` at ``/media/`` to anyone; machina stored attachments
there under their original names (``media/machina/attachments/compte-rendu.pdf``). Here they go
to ``PRIVATE_MEDIA_ROOT`` (``var/private`` by default), as
``attachments/<22-character random token>/<original name>``: the token makes the path
impossible to derive from the file's name, the original name is kept only to be given back in
``Content-Disposition``. They leave only through the permission-checked download view
(``views.AttachmentView``), streamed by Django or, with ``PASSERELLE_ACCEL_REDIRECT_PREFIX``,
handed to nginx through ``X-Accel-Redirect`` (an ``internal;`` location).
"""

import logging
import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)

PREFIX = "attachments/"


class PrivateAttachmentStorage(FileSystemStorage):
    """A file-system storage at ``settings.PRIVATE_MEDIA_ROOT`` (read on every use, so that a
    changed setting takes effect) that has no public URL."""

    @property
    def base_location(self):
        return os.fspath(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Forum attachments have no public URL: use the download view.")


_storage = PrivateAttachmentStorage()


def private_attachment_storage():
    """The field's storage (a callable, so that migrations name it instead of copying it)."""
    return _storage


def private_name(filename):
    """Where a new attachment goes: a random token directory, then its original name."""
    return f"{PREFIX}{secrets.token_urlsafe(16)}/{os.path.basename(filename)}"


def is_private_name(name):
    return bool(name) and name.startswith(PREFIX)


def move_to_private_storage(attachment_model, log=logger.info):
    """Move every attachment still in the public media root to the private storage, under a
    random name, and point its row at it. Idempotent: files already moved are left alone.

    Returns ``(moved, missing)``: the numbers of files moved and of rows whose file was not
    found in the public media root (left unchanged, and logged).
    """
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    moved = missing = 0
    for attachment in attachment_model.objects.order_by("pk").iterator():
        old_name = attachment.file.name
        if not old_name or is_private_name(old_name):
            continue
        if not public.exists(old_name):
            missing += 1
            log(f"Pièce jointe {attachment.pk} : fichier absent de MEDIA_ROOT ({old_name}).")
            continue
        with public.open(old_name, "rb") as handle:
            new_name = _storage.save(private_name(old_name), handle)
        attachment_model.objects.filter(pk=attachment.pk).update(file=new_name)
        public.delete(old_name)
        moved += 1
    return moved, missing
