"""Demo sources and notices: what the authorities published, relayed for establishments.

Idempotent: each loader adds what is missing and never changes what exists. The triage queue is
filled from the fixture feeds in ``fixtures/feeds/`` through the fetcher's own parser and
ingestion, without any network access.
"""

import datetime
from pathlib import Path

from django.conf import settings

from kb.models import Domain
from notices.models import Audience, FeedEntry, NoticePage, Source, SourceFeed
from notices.models.pages import ensure_audiences

FIXTURE_FEEDS = Path(settings.BASE_DIR) / "fixtures" / "feeds"

# The feeds each source publishes (demo: listed, never fetched by the loader), and the fixture
# file that stands for the first one when the triage queue is filled.
FEEDS = {
    "CERT-FR": (
        ["https://www.cert.ssi.gouv.fr/alerte/feed/", "https://www.cert.ssi.gouv.fr/avis/feed/"],
        "certfr-alertes.rss.xml",
    ),
    "CNIL": (["https://www.cnil.fr/fr/rss.xml"], "cnil.atom.xml"),
    "MESR": (["https://www.enseignementsup-recherche.gouv.fr/fr/rss.xml"], "mesr.rss.xml"),
    "France Universités": (["https://franceuniversites.fr/feed/"], "france-universites.rss.xml"),
    "DNUM": (
        ["https://www.enseignementsup-recherche.gouv.fr/fr/numerique/rss.xml"],
        "dnum.atom.xml",
    ),
}

# slug: (audiences, days after TODAY when the notice expires, or None)
NOTICE_EXTRAS = {
    "certfr-2026-ale-012-vpn": (["dsi", "rssi"], 45),
    "certfr-2026-avi-0815-messagerie": (["dsi", "rssi"], 60),
    "recommandations-nomadisme": (["dsi", "rssi", "direction"], None),
    "cnil-teletravail-employeurs": (["dpo", "rh", "direction"], None),
    "cnil-registre-traitements": (["dpo"], None),
    "circulaire-calendrier-examens": (["scolarite", "direction"], -3),
    "priorites-si-labo": (["recherche", "dsi"], None),
    "france-universites-continuite": (["direction", "scolarite"], None),
    "france-universites-budget": (["direction"], None),
    "dnum-authentification-renforcee": (["dsi", "rssi"], None),
    "dnum-hebergement-cloud": (["dsi", "dpo"], None),
    "paie-calendrier-fin-annee": (["rh"], 41),
}

SOURCES = [
    ("MESR", "Ministère de l'Enseignement supérieur et de la Recherche",
     "https://www.enseignementsup-recherche.gouv.fr"),
    ("France Universités", "France Universités (anciennement CPU)",
     "https://franceuniversites.fr"),
    ("CERT-FR", "ANSSI / CERT-FR", "https://www.cert.ssi.gouv.fr"),
    ("CNIL", "Commission nationale de l'informatique et des libertés", "https://www.cnil.fr"),
    ("DNUM", "Direction du numérique du ministère", "https://www.enseignementsup-recherche.gouv.fr"),
]  # fmt: skip

TODAY = datetime.date(2026, 11, 20)

# acronym, slug, title, reference, category, priority, days ago, domains, summary, impact
NOTICES = [
    ("CERT-FR", "certfr-2026-ale-012-vpn", "Vulnérabilité critique dans des passerelles VPN",
     "CERTFR-2026-ALE-012", "alerte", "urgent", 2, ["securite-si", "teletravail"],
     "Une vulnérabilité activement exploitée permet l'exécution de code à distance sur "
     "plusieurs gammes de passerelles VPN.",
     "<p>Les établissements qui exposent un VPN pour le télétravail doivent appliquer le "
     "correctif sans délai, ou à défaut désactiver le portail web.</p>"),
    ("CERT-FR", "certfr-2026-avi-0815-messagerie", "Multiples vulnérabilités dans un serveur de "
     "messagerie", "CERTFR-2026-AVI-0815", "avis", "important", 9, ["securite-si"],
     "De multiples vulnérabilités ont été découvertes ; certaines permettent un déni de service.",
     "<p>Planifier la mise à jour lors de la prochaine fenêtre de maintenance.</p>"),
    ("CERT-FR", "recommandations-nomadisme", "Recommandations de l'ANSSI sur le nomadisme "
     "numérique", "", "recommandation", "information", 40, ["securite-si", "teletravail"],
     "L'ANSSI met à jour ses recommandations pour sécuriser les usages nomades.", ""),
    ("CNIL", "cnil-teletravail-employeurs", "Télétravail : les rappels de la CNIL aux employeurs",
     "", "recommandation", "important", 15, ["donnees-personnelles", "teletravail"],
     "La CNIL rappelle les règles applicables à la surveillance des salariés en télétravail.",
     "<p>Vérifier que les outils de suivi d'activité ne permettent pas une surveillance "
     "permanente.</p>"),
    ("CNIL", "cnil-registre-traitements", "Registre des traitements : un modèle mis à jour", "",
     "information", "information", 60, ["donnees-personnelles"],
     "La CNIL publie une nouvelle version de son modèle de registre.", ""),
    ("MESR", "circulaire-calendrier-examens", "Calendrier universitaire et report des examens",
     "", "calendrier", "important", 20, ["scolarite"],
     "Le ministère précise les modalités d'adaptation du calendrier universitaire.",
     "<p>Les établissements ajustent les sessions d'examens et les inscriptions dans Apogée et "
     "PC-scol.</p>"),
    ("MESR", "priorites-si-labo", "Cinq priorités pour le SI des laboratoires", "",
     "information", "information", 90, ["recherche"],
     "Le ministère fixe cinq priorités pour le système d'information des laboratoires.", ""),
    ("France Universités", "france-universites-continuite", "France Universités : continuité "
     "pédagogique et numérique", "", "information", "information", 30, ["scolarite"],
     "France Universités partage les retours des établissements sur la continuité pédagogique.",
     ""),
    ("France Universités", "france-universites-budget", "Note sur la situation budgétaire des "
     "universités", "", "information", "information", 45, ["finances"],
     "Une note de France Universités sur la situation budgétaire et les mesures salariales.", ""),
    ("DNUM", "dnum-authentification-renforcee", "Généralisation de l'authentification "
     "renforcée", "", "reglementation", "important", 12, ["securite-si"],
     "La direction du numérique demande la généralisation de l'authentification à deux "
     "facteurs pour les accès distants.",
     "<p>Prévoir l'équipement des agents et l'accompagnement des utilisateurs.</p>"),
    ("DNUM", "dnum-hebergement-cloud", "Doctrine d'hébergement et services cloud", "",
     "reglementation", "information", 70, ["teletravail"],
     "Rappel de la doctrine d'hébergement des données sensibles dans des services cloud.", ""),
    ("MESR", "paie-calendrier-fin-annee", "Calendrier de paie de fin d'année", "",
     "calendrier", "information", 5, ["rh"],
     "Les dates limites de transmission des éléments de paie de décembre.", ""),
]  # fmt: skip


# The texts some demo notices cite (NoticePage.source_references): the ANSSI recommendations on
# nomadism are cited by the telework guide's chapter on workstations, which the notice flags.
NOTICE_REFERENCES = {
    "recommandations-nomadisme": (
        "https://cyber.gouv.fr/publications/recommandations-sur-le-nomadisme-numerique"
    ),
}


def load_sources():
    created = 0
    ensure_audiences()
    for acronym, name, website in SOURCES:
        source, was_created = Source.objects.get_or_create(
            acronym=acronym, defaults={"name": name, "website": website}
        )
        created += was_created
        if not source.feeds.exists():
            urls, _fixture = FEEDS.get(acronym, ([], None))
            for position, url in enumerate(urls):
                SourceFeed.objects.create(source=source, url=url, sort_order=position)
    return created


def load_triage_queue():
    """Pending entries read from the fixture feeds, for each source whose queue is empty."""
    from notices.fetcher import ingest, parse_feed

    created = 0
    for acronym, (_urls, fixture) in FEEDS.items():
        source = Source.objects.filter(acronym=acronym).first()
        if source is None or FeedEntry.objects.filter(source=source).exists():
            continue
        feed = source.feeds.order_by("sort_order").first()
        url = feed.url if feed else source.website or "https://example.org/"
        parsed = parse_feed((FIXTURE_FEEDS / fixture).read_bytes(), url, "application/xml")
        created += ingest(source, parsed, feed=feed).created
    return created


def load_notices(notices_index):
    created = 0
    for (acronym, slug, title, reference, category, priority, days_ago, domain_slugs, summary,
         impact) in NOTICES:  # fmt: skip
        if NoticePage.objects.child_of(notices_index).filter(slug=slug).exists():
            continue
        source = Source.objects.get(acronym=acronym)
        page = NoticePage(
            slug=slug,
            title=title,
            source=source,
            reference=reference,
            original_url=f"{source.website}/",
            original_published_at=TODAY - datetime.timedelta(days=days_ago),
            category=category,
            priority=priority,
            summary=summary,
            impact=impact,
        )
        page.source_references = NOTICE_REFERENCES.get(slug, "")
        audiences, expires_in = NOTICE_EXTRAS.get(slug, ([], None))
        if expires_in is not None:
            page.expires_at = TODAY + datetime.timedelta(days=expires_in)
        notices_index.add_child(instance=page)
        page.domains.set(Domain.objects.filter(slug__in=domain_slugs))
        page.audiences.set(Audience.objects.filter(slug__in=audiences))
        page.save_revision().publish()
        created += 1
    return created


def load_review_requests():
    """The guide pages the demo notices flag (kb.reviews), as their publication's task would
    (whichever tasks backend runs, or none): the ANSSI notice on nomadism asks for the review of
    the chapter citing it, the CNIL's notices for the pages of a regulatory domain. Idempotent."""
    from kb.reviews import flag_pages

    created = 0
    for slug in [row[1] for row in NOTICES]:
        notice = NoticePage.objects.filter(slug=slug).first()
        if notice is None:
            continue
        references = NOTICE_REFERENCES.get(slug, "")
        if references and not notice.source_references:  # loaded before the references
            NoticePage.objects.filter(pk=notice.pk).update(source_references=references)
            notice.source_references = references
        created += len(flag_pages(notice))
    return created
