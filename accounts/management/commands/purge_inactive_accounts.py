from django.core.management.base import BaseCommand

from accounts.personal_data import retention


class Command(BaseCommand):
    help = (
        "Prévient par courriel les comptes inactifs, puis supprime ceux qui ne sont pas revenus "
        "après le délai de grâce (messages conservés sous « Ancien membre »). Idempotent ; les "
        "administrateurs et éditeurs sont prévenus et listés, jamais supprimés."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait fait, sans rien envoyer ni supprimer.",
        )

    def handle(self, *args, dry_run=False, **options):
        report = retention.run(dry_run=dry_run)
        prefix = "[simulation] " if dry_run else ""
        lines = [
            (f"{prefix}Comptes prévenus", report.warned),
            (f"{prefix}Comptes supprimés", report.erased),
            (f"{prefix}Comptes revenus (avertissement retiré)", report.came_back),
            (
                f"{prefix}Administrateurs ou éditeurs inactifs, jamais supprimés automatiquement",
                report.protected,
            ),
        ]
        for label, names in lines:
            self.stdout.write(
                f"{label} : {len(names)}" + (f" ({', '.join(names)})" if names else "")
            )
        if not dry_run:
            self.stdout.write(f"Connexions anciennes effacées : {report.signin_events_deleted}")
