"""Fetch the federation's metadata aggregate, check its signature, and cache it (cron, hourly)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.saml import metadata


class Command(BaseCommand):
    help = (
        "Télécharge l'agrégat de métadonnées de la fédération, vérifie sa signature et le met en "
        "cache ; en cas d'échec, la dernière copie valide reste utilisée."
    )

    def handle(self, *args, **options):
        try:
            count = metadata.refresh()
        except metadata.MetadataError as exc:
            kept = metadata.cached_path().is_file()
            raise CommandError(
                f"Échec de la mise à jour des métadonnées : {exc}. "
                + (
                    "La dernière copie valide reste utilisée."
                    if kept
                    else "Aucune copie valide n'est disponible."
                )
            ) from None
        self.stdout.write(f"Métadonnées de la fédération à jour : {count} fournisseurs d'identité.")
