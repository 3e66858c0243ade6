"""Demo content of the knowledge base: domains, the telework guide and good practices, with
owners and review dates (one page overdue), a readers' history, experiences and feedback."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from kb.models import (
    Domain,
    ExperienceSubmission,
    GuidePage,
    PageFeedback,
    PageUpdate,
    PracticePage,
)

DOMAINS = [
    ("teletravail", "Télétravail et organisation",
     "Organisation du travail à distance, outils collaboratifs, continuité d'activité."),
    ("rh", "RH / Siham", "Gestion des ressources humaines, Siham et prévision de masse salariale."),
    ("scolarite", "Scolarité / Apogée et PC-scol",
     "Inscriptions, examens, Apogée et son successeur PC-scol."),
    ("recherche", "Recherche / SI Labo", "Système d'information des laboratoires, Caplab."),
    ("finances", "Finances", "Budget, comptabilité, achats et facturation."),
    ("securite-si", "Sécurité SI",
     "Sécurité des systèmes d'information, alertes du CERT-FR, recommandations de l'ANSSI."),
    ("donnees-personnelles", "Données personnelles",
     "RGPD, registre des traitements, relations avec la CNIL et le DPO."),
]  # fmt: skip


def rt(html):
    return {"type": "rich_text", "value": html}


def callout(kind, text, title=""):
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": text}}


def checklist(title, items):
    return {"type": "checklist", "value": {"title": title, "items": items}}


def steps(title, items):
    return {
        "type": "steps",
        "value": {"title": title, "steps": [{"title": t, "text": f"<p>{d}</p>"} for t, d in items]},
    }


def faq(items):
    return {
        "type": "faq",
        "value": {
            "title": "",
            "items": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in items],
        },
    }


def source(title, issuer, url, date=None):
    return {
        "type": "regulatory_source",
        "value": {"title": title, "issuer": issuer, "url": url, "date": date},
    }


TELEWORK_GUIDE = {
    "slug": "guide-du-teletravail",
    "title": "Guide du télétravail",
    "intro": "Les informations et bonnes pratiques relatives au télétravail dans les "
    "établissements, mises à jour avec les retours d'expérience des établissements.",
    "body": [
        rt(
            "<h2>À qui s'adresse ce guide</h2><p>Aux directions des systèmes d'information, aux "
            "services RH et aux équipes métier qui organisent le travail à distance. Chaque "
            "chapitre est tenu à jour par un chargé de domaine de l'agence.</p>"
        ),
        callout(
            "retenir",
            "<p>Les établissements gèrent en premier lieu leur organisation ; "
            "l'agence les appuie pour tout ce qui relève de ses logiciels de service.</p>",
        ),
    ],
}

TELEWORK_CHAPTERS = [
    ("organiser-le-travail-a-distance", "Organiser le travail à distance",
     "Définir qui télétravaille, quand, et comment l'équipe reste coordonnée.",
     [rt("<h2>Cadre et règles communes</h2><p>Un cadre écrit évite les malentendus : jours "
         "de télétravail, plages de disponibilité, modalités de joignabilité. Passer d'un jour "
         "par semaine à la semaine entière pose d'autres questions que celles des outils.</p>"
         "<h3>Un point d'équipe hebdomadaire</h3><p>Un point à distance avec tous les chefs de "
         "projet permet de suivre l'avancement et de réévaluer les calendriers.</p>"),
      checklist("Avant de généraliser le télétravail", [
          "Recenser les fonctions qui ne peuvent pas être exercées à distance",
          "Vérifier l'équipement des agents (poste, connexion, téléphone)",
          "Publier les règles de disponibilité et de réponse",
          "Prévoir un point d'équipe régulier"])]),
    ("outils-de-collaboration-et-visioconference", "Outils de collaboration et visioconférence",
     "Messagerie instantanée, partage de documents et visioconférence : choisir et accompagner.",
     [rt("<h2>Privilégier les services de la communauté</h2><p>Renater propose déjà des services "
         "de visioconférence et de partage aux établissements : il est inutile d'en déployer un "
         "autre pour répondre à l'urgence.</p><h3>Accompagner les usages</h3><p>Une courte "
         "formation et une charte d'usage (caméra, enregistrement, partage d'écran) évitent la "
         "plupart des difficultés.</p>"),
      faq([("Peut-on enregistrer une réunion en visioconférence ?",
            "Oui, si les participants en sont informés au préalable et que la finalité est "
            "définie ; l'enregistrement est une donnée personnelle."),
           ("Quel outil pour un jury de soutenance à distance ?",
            "Un service de visioconférence de la communauté, avec une salle d'attente et un "
            "test technique la veille.")])]),
    ("acceder-au-si-par-le-vpn", "Accéder au système d'information par le VPN",
     "Ouvrir l'accès à distance au SI et aux logiciels de gestion sans affaiblir la sécurité.",
     [rt("<h2>Un accès VPN dimensionné</h2><p>L'accès au SI interne et aux plateformes "
         "logicielles passe par un VPN. Dimensionnez les licences et la bande passante pour la "
         "totalité des agents en télétravail, pas pour un jour par semaine.</p>"),
      steps("Ouvrir l'accès VPN à un nouvel agent", [
          ("Demande", "Le responsable hiérarchique fait la demande auprès de la DSI."),
          ("Poste", "La DSI vérifie que le poste est géré et à jour."),
          ("Authentification", "L'agent active son second facteur d'authentification."),
          ("Test", "Un test de connexion aux applications métier est fait avec l'agent.")]),
      callout("attention", "<p>N'exposez jamais directement sur Internet les interfaces "
              "d'administration des logiciels de gestion : elles restent derrière le VPN.</p>")]),
    ("securiser-les-postes-de-travail", "Sécuriser les postes de travail",
     "Des postes gérés, à jour et chiffrés, qui ne permettent pas d'installer n'importe quel "
     "logiciel.",
     [rt("<h2>Des postes gérés</h2><p>Les logiciels utilisés à distance doivent avoir été testés "
         "au préalable ; les postes sont sécurisés et l'installation de logiciels est "
         "restreinte.</p><h3>Chiffrement et mises à jour</h3><p>Chiffrez les disques, "
         "appliquez les correctifs de sécurité sans délai et sauvegardez les données.</p>"),
      source("Recommandations sur le nomadisme numérique", "anssi",
             "https://cyber.gouv.fr/publications/recommandations-sur-le-nomadisme-numerique")]),
    ("accompagnement-rh-et-risque-d-isolement", "Accompagnement RH et risque d'isolement",
     "Prévenir l'isolement, garder l'accès à l'information et accompagner les managers.",
     [rt("<h2>Le risque d'isolement</h2><p>Le travail à distance prolongé expose au risque "
         "d'isolement et à des difficultés d'accès aux informations. L'agence partage son "
         "expérience avec son réseau dans une approche métier.</p><h3>Le rôle des "
         "managers</h3><p>Des échanges individuels réguliers et des temps collectifs informels "
         "maintiennent le lien.</p>"),
      checklist("Signaux à surveiller", [
          "Un agent qui ne participe plus aux réunions",
          "Des demandes d'information répétées sur des sujets déjà traités",
          "Des horaires de connexion très étendus"])]),
    ("continuite-d-activite", "Continuité d'activité",
     "Préparer le plan de continuité d'activité (PCA) et la reprise des services.",
     [rt("<h2>Identifier les activités essentielles</h2><p>Le PCA recense les activités qui "
         "doivent continuer quoi qu'il arrive (paie, inscriptions, examens) et les moyens "
         "nécessaires à distance. Certaines fonctions, comme la maintenance logistique, "
         "demandent des autorisations d'absence ou une présence sur site.</p><h3>Anticiper "
         "la reprise</h3><p>Mesurez comment l'activité sera sollicitée au redémarrage, pour "
         "finir l'année et préparer la suivante : patchs des logiciels de scolarité, "
         "calendrier des inscriptions, gestion RH.</p>"),
      callout("information", "<p>Le PCA se teste : un exercice annuel de bascule en travail "
              "entièrement à distance révèle les dépendances oubliées.</p>")]),
]  # fmt: skip

PRACTICES = [
    ("rh", "siham-preparer-la-paie-a-distance", "Siham : préparer la paie à distance",
     "Organiser la campagne de paie lorsque les gestionnaires travaillent à distance.",
     "<h2>Contexte</h2><p>Siham est hébergé chez le prestataire : la paie peut être préparée à "
     "distance si les accès sont ouverts à temps.</p><h2>Ce qui fonctionne</h2><p>Un calendrier "
     "de paie partagé, des contrôles croisés par binôme et une validation finale par le chef de "
     "service.</p>"),
    ("rh", "recaler-un-deploiement-siham", "Recaler le calendrier d'un déploiement Siham",
     "Adapter le calendrier d'un déploiement aux capacités des équipes SI et RH.",
     "<h2>Pourquoi recaler</h2><p>Les formations et certaines opérations demandent une présence "
     "sur place : mieux vaut replanifier avec l'établissement que de reporter en urgence.</p>"),
    ("scolarite", "apogee-appliquer-les-patchs-avant-les-inscriptions",
     "Apogée : appliquer les patchs avant les inscriptions",
     "Planifier les patchs d'Apogée pour qu'ils soient en place avant l'ouverture des "
     "inscriptions.",
     "<h2>Calendrier</h2><p>Les solutions doivent être prêtes dans les délais : appliquez les "
     "patchs sur l'environnement de test deux semaines avant la production.</p>"),
    ("scolarite", "pc-scol-preparer-la-bascule", "PC-scol : préparer la bascule depuis Apogée",
     "Les étapes de préparation avant l'expérimentation de PC-scol.",
     "<h2>Données de référence</h2><p>Fiabilisez les référentiels (formations, étudiants) avant "
     "toute reprise de données.</p>"),
    ("recherche", "si-labo-recenser-les-besoins-des-laboratoires",
     "SI Labo : recenser les besoins des laboratoires",
     "Comment conduire le recensement des besoins avec les laboratoires et les tutelles.",
     "<h2>Avec les tutelles</h2><p>Associez le CNRS et les autres tutelles dès le recensement ; "
     "les priorités fixées par le ministère servent de cadre.</p>"),
    ("recherche", "caplab-suivre-les-contrats-de-recherche",
     "Caplab : suivre les contrats de recherche",
     "Tenir à jour le suivi des contrats et des financements dans Caplab.",
     "<h2>Une saisie au fil de l'eau</h2><p>Saisir chaque contrat dès sa signature évite les "
     "rattrapages de fin d'exercice.</p>"),
    ("finances", "dematerialiser-le-circuit-des-factures",
     "Dématérialiser le circuit des factures",
     "Traiter les factures sans papier, de la réception au paiement.",
     "<h2>Le circuit</h2><p>Réception sur la plateforme nationale, service fait saisi par le "
     "service, mise en paiement par l'agence comptable.</p>"),
    ("finances", "signature-electronique-des-bons-de-commande",
     "Signature électronique des bons de commande",
     "Mettre en place la signature électronique des engagements juridiques.",
     "<h2>Prérequis</h2><p>Une délégation de signature à jour et des certificats pour chaque "
     "signataire.</p>"),
    ("securite-si", "reagir-a-une-alerte-du-cert-fr", "Réagir à une alerte du CERT-FR",
     "Qui fait quoi quand le CERT-FR publie une alerte touchant un logiciel de l'établissement.",
     "<h2>Les premières heures</h2><p>Le RSSI qualifie l'alerte, la DSI recense les systèmes "
     "exposés et applique le correctif ou la mesure de contournement.</p>"),
    ("securite-si", "double-authentification-des-comptes-a-privileges",
     "Double authentification des comptes à privilèges",
     "Imposer un second facteur aux comptes d'administration.",
     "<h2>Par où commencer</h2><p>Les comptes d'administration du VPN, de la messagerie et des "
     "logiciels de gestion passent en premier.</p>"),
    ("donnees-personnelles", "tenir-le-registre-des-traitements",
     "Tenir le registre des traitements",
     "Un registre utile, tenu avec les services, et pas seulement par le DPO.",
     "<h2>Un registre vivant</h2><p>Chaque service déclare ses traitements ; le DPO vérifie la "
     "base légale et les durées de conservation.</p>"),
    ("donnees-personnelles", "visioconference-et-rgpd", "Visioconférence et RGPD",
     "Les points de vigilance du RGPD pour les outils de visioconférence.",
     "<h2>Informer les participants</h2><p>Finalité, enregistrement éventuel, durée de "
     "conservation : l'information précède la réunion.</p>"),
]  # fmt: skip


# Domains whose every notice asks for the review of their guide pages (Domain.regulatory).
REGULATORY_DOMAINS = {"donnees-personnelles"}


def load_domains():
    created = 0
    for slug, name, description in DOMAINS:
        _domain, was_created = Domain.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "regulatory": slug in REGULATORY_DOMAINS,
            },
        )
        created += was_created
    return created


# Pages whose review is overdue in the demo ("Révision en attente"), and how long ago.
OVERDUE = {"continuite-d-activite": 250, "recaler-un-deploiement-siham": 300}

# The readers' history of the VPN chapter: later versions (days ago, note, body), oldest first.
VPN_HISTORY = [
    (120, "Ajout de l'activation du second facteur d'authentification", [
        rt("<h2>Un accès VPN dimensionné</h2><p>L'accès au SI interne et aux plateformes "
           "logicielles passe par un VPN. Dimensionnez les licences et la bande passante pour la "
           "totalité des agents en télétravail.</p>"),
     ]),
    (45, "Rappel : les interfaces d'administration restent derrière le VPN", None),
]  # fmt: skip


def _today():
    return timezone.localdate()


def _owner_for(domain):
    return domain.officers.order_by("pk").first() if domain is not None else None


def _publish_child(parent, page):
    page.owner_officer = page.owner_officer or _owner_for(page.domain)
    if page.last_reviewed_at is None:
        days = OVERDUE.get(page.slug, 40)
        page.last_reviewed_at = _today() - datetime.timedelta(days=days)
    page.update_note = page.update_note or "Première publication"
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


VPN_FIRST_BODY = [
    rt("<h2>Un accès VPN</h2><p>L'accès au SI interne passe par un VPN ouvert aux agents en "
       "télétravail.</p>")
]  # fmt: skip


def _add_vpn_history(chapter, final_body):
    """The VPN chapter was created with its first version: publish the later ones, and spread
    the versions over the past months so the readers' history reads like a real one."""
    versions = [*VPN_HISTORY[:-1], (VPN_HISTORY[-1][0], VPN_HISTORY[-1][1], final_body)]
    for _days, note, body in versions:
        page = PracticePage.objects.get(pk=chapter.pk)
        page.body = body
        page.update_note = note
        page.save_revision().publish()
    ages = [200, *[days for days, _note, _body in versions]]
    records = PageUpdate.objects.filter(page=chapter).order_by("pk")
    for record, days in zip(records, ages, strict=True):
        when = timezone.now() - datetime.timedelta(days=days)
        PageUpdate.objects.filter(pk=record.pk).update(published_at=when)


def load_guides(guides_index):
    """Create the telework guide, its chapters and the practices that are missing."""
    created = 0
    telework = Domain.objects.get(slug="teletravail")
    guide = GuidePage.objects.child_of(guides_index).filter(slug=TELEWORK_GUIDE["slug"]).first()
    if guide is None:
        guide = _publish_child(
            guides_index, GuidePage(domain=telework, featured=True, **TELEWORK_GUIDE)
        )
        guide.tags.add("télétravail", "continuité d'activité")
        guide.save_revision().publish()
        created += 1
    for slug, title, intro, body in TELEWORK_CHAPTERS:
        if not PracticePage.objects.child_of(guide).filter(slug=slug).exists():
            vpn = slug == "acceder-au-si-par-le-vpn"
            chapter = _publish_child(
                guide,
                PracticePage(
                    slug=slug,
                    title=title,
                    intro=intro,
                    body=VPN_FIRST_BODY if vpn else body,
                    domain=telework,
                ),
            )
            if vpn:
                _add_vpn_history(chapter, body)
            created += 1
    for domain_slug, slug, title, intro, html in PRACTICES:
        if not PracticePage.objects.child_of(guides_index).filter(slug=slug).exists():
            domain = Domain.objects.get(slug=domain_slug)
            _publish_child(
                guides_index,
                PracticePage(slug=slug, title=title, intro=intro, body=[rt(html)], domain=domain),
            )
            created += 1
    return created


SUBMISSIONS = [
    # submitter, domain, title, context, actions, results, tools, consent, status, officer message
    ("personnel", "teletravail", "Un VPN ouvert à toute la DSI en une semaine",
     "Université de 30 000 étudiants, DSI de 80 personnes, passage au télétravail complet.",
     "Nous avons doublé les licences VPN, activé le second facteur pour tous les agents et "
     "publié une procédure illustrée.",
     "95 % des agents connectés dès le troisième jour ; deux incidents de capacité le premier "
     "lundi.", "VPN, authentification à deux facteurs, Renater", True,
     ExperienceSubmission.Status.SUBMITTED, ""),
    ("personnel2", "scolarite", "Des jurys d'examen à distance",
     "Scolarité d'une université pluridisciplinaire, session de juin.",
     "Jurys tenus en visioconférence, procès-verbaux signés électroniquement.",
     "Tous les jurys ont pu se tenir à la date prévue.", "Visioconférence Renater", False,
     ExperienceSubmission.Status.CHANGES_REQUESTED,
     "Pouvez-vous préciser comment les procès-verbaux ont été signés ?"),
]  # fmt: skip

FEEDBACK = [
    ("acceder-au-si-par-le-vpn", True, ""),
    ("acceder-au-si-par-le-vpn", True, "Très clair, merci."),
    ("acceder-au-si-par-le-vpn", False, "Il manque la procédure pour les postes personnels."),
    ("continuite-d-activite", False, "Le lien vers le modèle de PCA ne fonctionne plus."),
]


def load_contributions():
    """Experiences waiting for the officers, and readers' feedback (only where none exists)."""
    User = get_user_model()
    created = 0
    for (
        username,
        domain_slug,
        title,
        context,
        actions,
        results,
        tools,
        consent,
        status,
        message,
    ) in SUBMISSIONS:
        submitter = User.objects.filter(username=username).first()
        if submitter is None or ExperienceSubmission.objects.filter(title=title).exists():
            continue
        profile = getattr(submitter, "profile", None)
        ExperienceSubmission.objects.create(
            submitter=submitter,
            establishment=getattr(profile, "establishment", None),
            domain=Domain.objects.get(slug=domain_slug),
            title=title,
            context=context,
            actions=actions,
            results=results,
            tools=tools,
            consent_to_publish=consent,
            status=status,
            officer_message=message,
        )
        created += 1
    pages = {p.slug: p for p in PracticePage.objects.filter(slug__in={f[0] for f in FEEDBACK})}
    if not PageFeedback.objects.filter(page__in=pages.values()).exists():
        for slug, useful, comment in FEEDBACK:
            if slug in pages:
                PageFeedback.objects.create(page=pages[slug], useful=useful, comment=comment)
                created += 1
    return created
