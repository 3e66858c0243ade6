from django.core.management.base import BaseCommand

from ops.reclaim import reclaim_abandoned


class Command(BaseCommand):
    help = (
        "Remet dans la file les tâches dont le processus de travail a disparu "
        "(timer systemd, toutes les cinq minutes)."
    )

    def handle(self, *args, **options):
        requeued, failed = reclaim_abandoned()
        self.stdout.write(f"Tâches reprises : {requeued}, abandonnées : {failed}.")
