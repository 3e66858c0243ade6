from django.core.management.base import BaseCommand
from machina.core.db.models import get_model

from forum.forum_conversation.forum_attachments.storage import move_to_private_storage


class Command(BaseCommand):
    help = (
        "Move forum attachments still in MEDIA_ROOT (machina's public location, e.g. after "
        "restoring an old backup) to PRIVATE_MEDIA_ROOT under random names. Idempotent; the "
        "migration forum_attachments 0004 does the same once."
    )

    def handle(self, *args, **options):
        moved, missing = move_to_private_storage(
            get_model("forum_attachments", "Attachment"), log=self.stderr.write
        )
        self.stdout.write(
            f"{moved} pièce(s) jointe(s) déplacée(s), {missing} fichier(s) absent(s)."
        )
        if missing:
            raise SystemExit(1)
