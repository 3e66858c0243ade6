from django.core.management.base import BaseCommand

from forum.community.topic_views import flush_all


class Command(BaseCommand):
    help = (
        "Reporte dans les compteurs des sujets les lectures anonymes encore en attente dans le "
        "cache (à lancer par cron, par exemple toutes les 5 minutes)."
    )

    def handle(self, *args, **options):
        moved = flush_all()
        self.stdout.write(f"Lectures anonymes reportées : {moved}.")
