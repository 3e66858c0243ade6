from django.core.management.base import BaseCommand

from outbox.delivery import deliver_messages


class Command(BaseCommand):
    help = "Envoie les courriels en attente (à lancer chaque minute par cron ou un timer systemd)."

    def handle(self, *args, **options):
        sent, failed = deliver_messages()
        self.stdout.write(f"Courriels envoyés : {sent}, en échec (réessayés plus tard) : {failed}.")
