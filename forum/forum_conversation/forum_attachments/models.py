"""machina's attachment, stored in the private storage under a random name (``storage.py``).

Defined here, before machina's models module is imported, so that machina registers no model
of its own (machina's documented way to override a model); the field is machina's with another
storage and room for the token directory. Migrations: ``migrations/`` here (machina's two,
copied, then ours), set in ``MIGRATION_MODULES``.
"""

from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from machina.apps.forum_conversation.forum_attachments.abstract_models import (
    AbstractAttachment,
    get_attachment_file_upload_to,
)

from forum.forum_conversation.forum_attachments.storage import (
    private_attachment_storage,
    private_name,
)


class AttachmentFieldFile(FieldFile):
    @property
    def url(self):
        """The permission-checked download view: the file has no other address."""
        if not self.instance.pk:
            return ""
        return reverse("forum_conversation:attachment", kwargs={"pk": self.instance.pk})


class AttachmentFileField(models.FileField):
    attr_class = AttachmentFieldFile


class Attachment(AbstractAttachment):
    file = AttachmentFileField(
        upload_to=get_attachment_file_upload_to,
        storage=private_attachment_storage,
        max_length=255,
        verbose_name=_("File"),
    )

    class Meta(AbstractAttachment.Meta):
        pass

    def get_file_upload_to(self, filename):
        return private_name(filename)


from machina.apps.forum_conversation.forum_attachments.models import *  # noqa: E402, F403
