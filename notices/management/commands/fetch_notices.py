"""python manage.py fetch_notices [--source SLUG ...]: read the feeds, fill the triage queue.

Run it from cron or a systemd timer (every 15 minutes is plenty). It never publishes anything;
a feed in error is recorded on its source and the run goes on with the others.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from notices.fetcher import fetch_sources
from notices.models import Source


class Command(BaseCommand):
    help = (
        "Relève les flux RSS/Atom des sources actives et place les nouvelles entrées dans la "
        "file de tri. Ne publie rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            metavar="SOURCE",
            help="Identifiant d'URL, sigle ou numéro d'une source (répétable ; même inactive).",
        )

    def handle(self, *args, **options):
        wanted = options["source"]
        if wanted:
            sources = []
            for key in wanted:
                query = Q(slug=key) | Q(acronym__iexact=key)
                if key.isdigit():
                    query |= Q(pk=int(key))
                source = Source.objects.filter(query).first()
                if source is None:
                    raise CommandError(f"Source inconnue : {key}")
                sources.append(source)
        else:
            sources = list(Source.objects.filter(is_active=True).prefetch_related("feeds"))
        results = fetch_sources(sources)
        failures = 0
        for result in results:
            label = f"{result.feed.source} – {result.feed.url}"
            if result.busy:
                self.stdout.write(f"{label} : relevé déjà en cours dans un autre processus, ignoré")
            elif not result.ok:
                failures += 1
                self.stderr.write(f"{label} : ÉCHEC – {result.error}")
            elif result.not_modified:
                self.stdout.write(f"{label} : inchangé (304)")
            else:
                counts = result.ingest
                self.stdout.write(
                    f"{label} : {counts.created} nouvelle(s), {counts.updated} mise(s) à jour, "
                    f"{counts.unchanged} inchangée(s)"
                )
                for warning in result.warnings:
                    self.stdout.write(f"    avertissement : {warning}")
        self.stdout.write(f"{len(results)} flux relevé(s), {failures} en erreur.")
