from django.core.management.base import BaseCommand

from accounts.roles import ensure_roles, sync_domain_permissions
from kb.models import Domain


class Command(BaseCommand):
    help = (
        "Crée les groupes et permissions des rôles (idempotent), et les droits de chaque domaine."
    )

    def handle(self, *args, **options):
        groups = ensure_roles()
        for domain in Domain.objects.all():
            sync_domain_permissions(domain)
        self.stdout.write(
            self.style.SUCCESS(f"Rôles à jour : {', '.join(groups)}; domaines synchronisés.")
        )
