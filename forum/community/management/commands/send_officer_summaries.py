from django.core.management.base import BaseCommand

from forum.community.assignment import send_weekly_summaries
from outbox.delivery import deliver_messages


class Command(BaseCommand):
    help = (
        "Envoie à chaque chargé de domaine le point hebdomadaire de ses sujets sans réponse. "
        "Relancé la même semaine, il n'envoie rien de plus."
    )

    def handle(self, *args, **options):
        queued = send_weekly_summaries()
        sent, waiting = deliver_messages()
        self.stdout.write(
            f"Points hebdomadaires : {queued} mis en file ; "
            f"envoyés : {sent}, en attente : {waiting}."
        )
