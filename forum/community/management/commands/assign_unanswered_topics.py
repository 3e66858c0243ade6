from django.core.management.base import BaseCommand, CommandError

from forum.community import assignment
from outbox.delivery import deliver_messages


class Command(BaseCommand):
    help = (
        "Attribue à tour de rôle, parmi les chargés du domaine, les sujets restés sans réponse "
        "depuis N jours et que personne ne suit. Relancé, il n'attribue rien de plus."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jours",
            type=int,
            default=None,
            help=f"sans réponse depuis (jours) ; {assignment.AUTO_ASSIGN_DAYS} par défaut",
        )

    def handle(self, *args, jours=None, **options):
        if jours is not None and not 1 <= jours <= 365:
            raise CommandError("--jours doit être compris entre 1 et 365.")
        done = assignment.auto_assign(days=jours)
        for topic, officer in done:
            self.stdout.write(f"« {topic.subject} » → {assignment.display_name(officer)}")
        sent, waiting = deliver_messages()
        self.stdout.write(
            f"Sujets attribués : {len(done)} ; courriels envoyés : {sent}, en attente : {waiting}."
        )
