from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde (base de données et fichiers déposés) : remplace tout. "
        "Arrêtez d'abord les serveurs et le worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Dossier passerelle-AAAAMMJJ-HHMMSS de la sauvegarde.")
        parser.add_argument("--no-input", action="store_true", help="Sans confirmation.")

    def handle(self, *args, path, no_input=False, **options):
        if not no_input:
            answer = input(f"Remplacer la base et les fichiers par {path} ? Tapez « oui » : ")
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée.")
        try:
            expected, found = restore(path)
        except (BackupError, OSError) as error:
            raise CommandError(f"Restauration impossible : {error}") from error
        for name, count in expected.items():
            self.stdout.write(f"  {name} : {found.get(name)} (sauvegarde : {count})")
        if expected != found:
            raise CommandError("Les nombres restaurés diffèrent de ceux de la sauvegarde.")
        self.stdout.write("Restauration terminée : les nombres correspondent à la sauvegarde.")
