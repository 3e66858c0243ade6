from django.core.management.base import BaseCommand

from kb.freshness import send_review_reminders


class Command(BaseCommand):
    help = (
        "Envoie à chaque responsable la liste de ses pages dont la révision est dépassée. "
        "Relancée le même jour, elle n'envoie rien de plus."
    )

    def handle(self, *args, **options):
        sent = send_review_reminders()
        self.stdout.write(self.style.SUCCESS(f"Rappels de révision mis en file : {sent}."))
