"""The fixed skeleton of the site tree: home page, /guides/, /actualites/ and the legal pages.

:func:`ensure_site_structure` is idempotent: it creates what is missing and leaves every existing
page as it is. The demo loader and the tests build on it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from accounts.personal_data.page import legal_page_html

WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"

LEGAL_PAGES = [
    (
        "mentions-legales",
        "Mentions légales",
        "<h2>Éditeur du site</h2><p>Passerelle est publié par l'agence de mutualisation des "
        "établissements d'enseignement supérieur et de recherche, groupement d'intérêt public.</p>"
        "<h2>Hébergement</h2><p>Le site est hébergé sur l'infrastructure de l'agence, "
        "en France.</p>"
        "<h2>Propriété intellectuelle</h2><p>Sauf mention contraire, les contenus des guides sont "
        "publiés sous Licence Ouverte 2.0 (Etalab). Les messages du forum restent la propriété de "
        "leurs auteurs.</p>",
    ),
    (
        "accessibilite",
        "Accessibilité",
        "<h2>Déclaration d'accessibilité</h2><p>L'agence de mutualisation s'engage à rendre "
        "Passerelle accessible conformément à l'article 47 de la loi n° 2005-102 du 11 février "
        "2005. Cette déclaration s'applique au site Passerelle (guides, actualités, forum, "
        "recherche, compte).</p>"
        "<h2>État de conformité</h2><p>Passerelle est <strong>partiellement conforme</strong> "
        "avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1, en "
        "raison des non-conformités énumérées ci-dessous.</p>"
        "<h2>Résultats des tests</h2><p>L'audit interne du 2 décembre 2026 a été mené avec "
        "l'outil automatique axe-core 4.10 dans Chromium (critères WCAG 2.1 niveaux A et AA), "
        "complété de vérifications manuelles : navigation au clavier, ordre des titres, "
        "étiquettes et messages d'erreur des formulaires, affichage à 320 pixels de large, "
        "contrastes. Il ne remplace pas un audit complet par un organisme indépendant, qui "
        "reste à conduire.</p><p>Pages de l'échantillon : accueil ; liste des guides, un "
        "guide, une bonne pratique, son historique et sa comparaison de versions ; pages par "
        "domaine et par mot-clé ; liste des actualités et une actualité ; recherche avec "
        "résultats et filtres ; connexion, profil, contributions et partage d'expérience (avec "
        "erreurs) ; accueil du forum, un forum, un sujet avec sondage, pièce jointe et solution, "
        "nouveau sujet, réponse, signalement, file et espace de modération, abonnements, pages "
        "des membres ; mentions légales, accessibilité, données personnelles ; page "
        "introuvable. Aucune violation grave ou critique n'y est relevée par l'outil "
        "automatique.</p>"
        "<h2>Contenus non accessibles</h2><h3>Non-conformités connues</h3><ul>"
        "<li>Le menu « Modération » d'un sujet est un menu déroulant qui ne se ferme pas avec "
        "la touche Échap (critère 7.3).</li>"
        "<li>Les liens « Ajouter une option » et « Ajouter un autre fichier » des formulaires "
        "du forum se comportent comme des boutons (critère 7.1).</li>"
        "<li>La prévisualisation d'un sondage avant publication reprend la mise en forme "
        "d'origine du moteur de forum (critère 11.5).</li>"
        "<li>Le guide au format PDF n'est pas balisé pour les technologies d'assistance "
        "(critère 13.3) : le même contenu est disponible en HTML.</li></ul>"
        "<h3>Contenus non soumis à l'obligation</h3><ul><li>Les documents joints par les "
        "membres du forum et les établissements.</li><li>L'interface d'administration "
        "réservée aux éditeurs et aux chargés de domaine.</li></ul>"
        "<h2>Établissement de cette déclaration</h2><p>Cette déclaration a été établie le "
        "2 décembre 2026.</p>"
        "<h2>Retour d'information et contact</h2><p>Si vous ne parvenez pas à accéder à un "
        "contenu ou à un service, écrivez à "
        '<a href="mailto:accessibilite@passerelle.local">accessibilite@passerelle.local</a> '
        "pour être orienté vers une alternative accessible ou obtenir le contenu sous une "
        "autre forme.</p>"
        "<h2>Voies de recours</h2><p>Si vous constatez un défaut d'accessibilité vous "
        "empêchant d'accéder à un contenu ou à une fonctionnalité du site, que vous nous le "
        "signalez et que vous ne parvenez pas à obtenir une réponse de notre part, vous êtes "
        "en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des "
        "droits :</p><ul><li>par le formulaire en ligne du Défenseur des droits "
        '(<a href="https://formulaire.defenseurdesdroits.fr/">'
        "formulaire.defenseurdesdroits.fr</a>) ;</li><li>auprès d'un délégué du Défenseur des "
        "droits dans votre région ;</li><li>par courrier (gratuit, sans affranchissement) : "
        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</li></ul>",
    ),
    # Built from the real settings (durations, DPO address) by the personal-data module.
    ("donnees-personnelles", "Données personnelles", legal_page_html),
]


@dataclass
class SiteStructure:
    home: Page
    guides: Page
    notices: Page


def _child(parent, slug):
    return parent.get_children().filter(slug=slug).specific().first()


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def ensure_site_structure():
    from kb.models import GuideIndexPage, HomePage, StandardPage
    from notices.models import NoticeIndexPage

    Locale.get_default() if Locale.objects.exists() else Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node()
    if root is None:  # an emptied database (flush): Wagtail's migration made the root once
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # likewise for documents' and images' root
        Collection.add_root(name="Root")
    home = HomePage.objects.first()
    if home is None:
        home = _publish(
            root,
            HomePage(
                title="Accueil",
                slug="accueil",
                intro="<p>Passerelle rassemble le guide du télétravail et des bonnes pratiques, "
                "les actualités officielles utiles aux établissements et les forums animés par "
                "les chargés de domaine de l'agence.</p>",
            ),
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True,
            site_name="Passerelle",
        )  # fmt: skip
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = site.site_name or "Passerelle"
        site.save()
        # Wagtail's placeholder page goes; anything a person made is kept.
        if (
            old_root.specific_class is Page
            and old_root.title == WAGTAIL_WELCOME_TITLE
            and not old_root.get_children().exists()
        ):
            old_root.delete()

    guides = _child(home, "guides") or _publish(
        home,
        GuideIndexPage(
            title="Guides et bonnes pratiques",
            slug="guides",
            intro="<p>Le guide du télétravail et les bonnes pratiques des établissements, "
            "classés par domaine et tenus à jour par les chargés de domaine.</p>",
        ),
    )
    notices = _child(home, "actualites") or _publish(
        home,
        NoticeIndexPage(
            title="Actualités",
            slug="actualites",
            intro="<p>Les informations du ministère, de France Universités, de l'ANSSI et du "
            "CERT-FR, de la CNIL et de la direction du numérique, relayées et commentées pour les "
            "établissements.</p>",
        ),
    )
    for slug, title, html in LEGAL_PAGES:
        if _child(home, slug) is None:
            html = html() if callable(html) else html
            _publish(
                home,
                StandardPage(
                    title=title, slug=slug, body=[{"type": "rich_text", "value": html}],
                    show_in_menus=False,
                ),
            )  # fmt: skip
    from kb.editorial import ensure_editorial_setup

    ensure_editorial_setup()
    return SiteStructure(home=home, guides=guides, notices=notices)
