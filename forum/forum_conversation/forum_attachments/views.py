"""Attachment download: only to readers of the topic, always as a download, never sniffed.

The file comes from the private storage (``storage.py``); with
``PASSERELLE_ACCEL_REDIRECT_PREFIX`` set, nginx sends it (``X-Accel-Redirect``) after this view
has checked the permission, otherwise Django streams it.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from machina.apps.forum_conversation.forum_attachments.views import (
    AttachmentView as MachinaAttachmentView,
)


class AttachmentView(MachinaAttachmentView):
    def get_queryset(self):
        return super().get_queryset().select_related("post__topic__forum")

    def get_object(self, queryset=None):
        if not hasattr(self, "_attachment"):
            self._attachment = super().get_object(queryset)
        return self._attachment

    def perform_permissions_check(self, user, obj, perms):
        handler = self.request.forum_permission_handler
        attachment = self.get_object()
        # A hidden post's files are as hidden as the post (moderators still get them).
        if not attachment.post.approved and not handler.can_approve_posts(obj, user):
            raise Http404
        return handler.can_read_forum(obj, user) and handler.can_download_files(obj, user)

    def render_to_response(self, context, **response_kwargs):
        attachment = self.object
        prefix = getattr(settings, "PASSERELLE_ACCEL_REDIRECT_PREFIX", "")
        if not attachment.file.name or not attachment.file.storage.exists(attachment.file.name):
            raise Http404
        if prefix:
            response = HttpResponse(content_type="application/octet-stream")
            response["X-Accel-Redirect"] = f"{prefix}/{quote(attachment.file.name)}"
            response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
        else:
            response = FileResponse(
                attachment.file.open("rb"),
                as_attachment=True,
                filename=attachment.filename,
                content_type="application/octet-stream",
            )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
