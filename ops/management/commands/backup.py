from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup, prune


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés (timer systemd, chaque nuit)."

    def add_arguments(self, parser):
        parser.add_argument("--dossier", dest="directory", help="Dossier des sauvegardes.")
        parser.add_argument(
            "--garder", dest="keep", type=int, default=14, help="Sauvegardes conservées (14)."
        )

    def handle(self, *args, directory=None, keep=14, **options):
        try:
            path = backup(directory)
        except (BackupError, OSError) as error:
            raise CommandError(f"Sauvegarde impossible : {error}") from error
        removed = prune(directory, keep)
        self.stdout.write(f"Sauvegarde écrite : {path}")
        if removed:
            self.stdout.write(f"Anciennes sauvegardes supprimées : {len(removed)}")
