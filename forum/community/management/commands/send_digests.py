from django.core.management.base import BaseCommand

from outbox.delivery import deliver_messages
from subscriptions import digest
from subscriptions.models import Rhythm


class Command(BaseCommand):
    help = (
        "Envoie les résumés (quotidiens, et hebdomadaires avec --weekly) de tout ce que chacun "
        "suit : domaines, guides, actualités, forums, sujets. Lancé deux fois pour la même "
        "période, il n'envoie rien de plus. --dry-run montre ce qui partirait, sans rien envoyer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--weekly", action="store_true", help="Le résumé hebdomadaire (au lieu du quotidien)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Montre les résumés prêts, sans rien envoyer."
        )

    def handle(self, *args, **options):
        period = Rhythm.WEEKLY if options["weekly"] else Rhythm.DAILY
        label = "hebdomadaires" if options["weekly"] else "quotidiens"
        if options["dry_run"]:
            digests = digest.build(period)
            for user, groups in digests:
                domains = ", ".join(g["domain"] or "hors domaine" for g in groups)
                self.stdout.write(
                    f"{user.get_username()} <{user.email}> : {digest.count_items(groups)} "
                    f"élément(s) ; {domains}"
                )
            self.stdout.write(f"Résumés {label} prêts à partir : {len(digests)} (rien envoyé).")
            return
        queued = digest.send(period)
        sent, failed = deliver_messages()
        self.stdout.write(
            f"Résumés {label} : {queued} mis en file ; envoyés : {sent}, en attente : {failed}."
        )
