"""Attachment download: only to readers of the topic, always as a download, never sniffed."""

import os

from django.http import FileResponse, Http404
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
        try:
            handle = self.object.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=os.path.basename(self.object.file.name),
            content_type="application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
