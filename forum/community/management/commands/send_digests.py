from django.core.management.base import BaseCommand

from forum.community.notifications import send_digests
from outbox.delivery import deliver_messages


class Command(BaseCommand):
    help = (
        "Envoie les résumés quotidiens des abonnements au forum. Lancé deux fois le même jour, "
        "il n'envoie rien de plus."
    )

    def handle(self, *args, **options):
        queued = send_digests()
        sent, failed = deliver_messages()
        self.stdout.write(
            f"Résumés quotidiens : {queued} mis en file ; envoyés : {sent}, en attente : {failed}."
        )
