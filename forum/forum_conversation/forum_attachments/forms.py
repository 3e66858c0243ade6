"""Attachment upload: an allowlist of extensions, a size limit, and the type read from content.

machina accepts any file. Here a file must have an allowed extension, weigh at most
``PASSERELLE_ATTACHMENT_MAX_BYTES`` (10 MB by default), and its content must match its
extension (``filetype`` reads the magic bytes; plain-text formats must decode as UTF-8 text).
"""

import os

import filetype
from django import forms
from django.conf import settings
from django.forms.models import BaseModelFormSet, modelformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from machina.conf import settings as machina_settings
from machina.core.db.models import get_model

Attachment = get_model("forum_attachments", "Attachment")

# extension -> MIME types its content may be detected as (None: a text format, no magic bytes)
ALLOWED_TYPES = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
    "odp": {"application/vnd.oasis.opendocument.presentation", "application/zip"},
    "docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    "xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
    "pptx": {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
    },
    "zip": {"application/zip"},
    "txt": None,
    "csv": None,
    "log": None,
}


def max_bytes():
    return getattr(settings, "PASSERELLE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def check_upload(upload):
    """Raise ValidationError (in French) unless ``upload`` is an allowed, well-typed file."""
    name = os.path.basename(upload.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise forms.ValidationError(
            _("Le type de fichier « %(ext)s » n'est pas accepté. Types acceptés : %(allowed)s."),
            code="extension",
            params={"ext": extension or "?", "allowed": ", ".join(sorted(ALLOWED_TYPES))},
        )
    if upload.size > max_bytes():
        raise forms.ValidationError(
            _("Le fichier pèse %(size)s ; la limite est de %(limit)s."),
            code="size",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes())},
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    expected = ALLOWED_TYPES[extension]
    if expected is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at 8192 bytes is still text.
            if exc.start < len(head) - 4:
                raise forms.ValidationError(
                    _("Le contenu du fichier ne correspond pas à un fichier texte (.%(ext)s)."),
                    code="content",
                    params={"ext": extension},
                ) from None
        if b"\x00" in head:
            raise forms.ValidationError(
                _("Le contenu du fichier ne correspond pas à un fichier texte (.%(ext)s)."),
                code="content",
                params={"ext": extension},
            )
        return
    kind = filetype.guess(head)
    if kind is None or kind.mime not in expected:
        raise forms.ValidationError(
            _("Le contenu du fichier ne correspond pas à son extension (.%(ext)s)."),
            code="content",
            params={"ext": extension},
        )


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "comment"]
        labels = {"file": _("Fichier"), "comment": _("Commentaire")}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        # A new upload (not the stored file of an existing attachment) is checked.
        if upload is not None and hasattr(upload, "content_type"):
            check_upload(upload)
        return upload


class BaseAttachmentFormset(BaseModelFormSet):
    def __init__(self, *args, **kwargs):
        self.post = kwargs.pop("post", None)
        super().__init__(*args, **kwargs)

    def save(self, commit=True, **kwargs):
        if self.post:
            for form in self.forms:
                form.instance.post = self.post
        super().save(commit)


AttachmentFormset = modelformset_factory(
    Attachment,
    AttachmentForm,
    formset=BaseAttachmentFormset,
    can_delete=True,
    extra=1,
    max_num=machina_settings.ATTACHMENT_MAX_FILES_PER_POST,
    validate_max=True,
)
