from django.core.management.base import BaseCommand

from kb.editorial import ensure_editorial_setup


class Command(BaseCommand):
    help = (
        "Met en place le circuit de validation (relecture par les chargés du domaine, puis "
        "publication par un éditeur) et les droits des chargés sur les pages de leur domaine. "
        "Idempotent."
    )

    def handle(self, *args, **options):
        ensure_editorial_setup()
        self.stdout.write(self.style.SUCCESS("Circuit éditorial et droits des chargés à jour."))
