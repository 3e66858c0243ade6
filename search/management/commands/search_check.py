from django.core.management.base import BaseCommand, CommandError

from search import indexing


class Command(BaseCommand):
    help = (
        "Compare the site search with the content: documents missing from the index, stale "
        "(changed, unpublished, hidden or deleted since), or not indexed. --repair fixes them. "
        "Exits with status 1 when problems were found and not repaired (for cron and monitoring)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Fix what is found.")

    def handle(self, *args, **options):
        report = indexing.check(repair=options["repair"])
        problems = 0
        for key, label in (
            ("missing", "missing from the index"),
            ("stale", "stale"),
            ("unindexed", "not in the full-text index"),
            ("filters", "with wrong or missing filter rows (never found)"),
        ):
            items = report[key]
            problems += len(items)
            if items:
                shown = ", ".join(items[:20]) + (" …" if len(items) > 20 else "")
                self.stdout.write(f"{len(items)} {label}: {shown}")
        if report["orphans"]:
            problems += report["orphans"]
            self.stdout.write(f"{report['orphans']} index entries without a document")
        if not problems:
            self.stdout.write(self.style.SUCCESS("Search index is up to date."))
        elif options["repair"]:
            self.stdout.write(self.style.SUCCESS(f"{problems} problems repaired."))
        else:
            raise CommandError(f"{problems} problems found; run with --repair to fix them.")
