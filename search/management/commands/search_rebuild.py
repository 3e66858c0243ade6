import time

from django.core.management.base import BaseCommand

from search import indexing


class Command(BaseCommand):
    help = (
        "Rebuild the site search from scratch: every published page and every forum post is "
        "re-read and re-indexed (search keeps answering meanwhile)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        total = indexing.rebuild(stdout=self.stdout if options["verbosity"] > 1 else None)
        self.stdout.write(
            self.style.SUCCESS(f"{total} documents indexed in {time.monotonic() - started:.1f} s.")
        )
