from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.roles import ensure_roles
from forum import demo as forum_demo
from kb import demo as kb_demo
from kb.structure import ensure_site_structure
from notices import demo as notices_demo
from subscriptions import demo as subscriptions_demo


class Command(BaseCommand):
    help = (
        "Charge le contenu de démonstration en français. Idempotent : ajoute ce qui manque, "
        "ne modifie ni ne supprime rien de ce qui existe."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            ensure_roles()
            structure = ensure_site_structure()
            counts = {
                "établissements": accounts_demo.load_establishments(),
                "domaines": kb_demo.load_domains(),
                "sources": notices_demo.load_sources(),
                "catégories et forums": forum_demo.load_forums(),
            }
            users = accounts_demo.load_users()
            counts["utilisateurs"] = len(users)
            counts["guides et pratiques"] = kb_demo.load_guides(structure.guides)
            counts["retours d'expérience et avis"] = kb_demo.load_contributions()
            counts["actualités"] = notices_demo.load_notices(structure.notices)
            counts["demandes de révision"] = notices_demo.load_review_requests()
            counts["entrées à trier"] = notices_demo.load_triage_queue()
            counts["discussions"] = forum_demo.load_topics()
            counts["communauté du forum"] = forum_demo.load_community()
            counts["sujets attribués"] = forum_demo.load_assignments()
            counts["domaines suivis avec un résumé"] = subscriptions_demo.load_follows()
            counts["contributions d'établissement"] = accounts_demo.load_establishment_showcase()
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration : ajouté {summary}."))
