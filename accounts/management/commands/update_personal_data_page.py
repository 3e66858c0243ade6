from django.core.management.base import BaseCommand, CommandError

from accounts.personal_data.page import refresh_legal_page


class Command(BaseCommand):
    help = (
        "Republie la page /donnees-personnelles/ à partir des réglages (durées de conservation, "
        "adresse du DPO). Les versions précédentes restent dans l'historique de la page."
    )

    def handle(self, *args, **options):
        page = refresh_legal_page()
        if page is None:
            raise CommandError("La page /donnees-personnelles/ n'existe pas encore (migrate).")
        self.stdout.write(self.style.SUCCESS(f"Page republiée : {page.url}"))
