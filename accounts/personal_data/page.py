"""The text of the public /donnees-personnelles/ page, built from the models and the settings.

``kb/structure.py`` creates the page with :func:`legal_page_html`; the profile pages and the
deletion form show the same :func:`durations`. What is listed here is what the models hold.
"""

from django.conf import settings
from django.utils.html import escape


def _years_or_months(days):
    if days % 365 == 0:
        years = days // 365
        return f"{years} an" if years == 1 else f"{years} ans"
    return f"{days} jours"


def durations():
    months = settings.PASSERELLE_SIGNIN_HISTORY_MONTHS
    return {
        "signin_history": f"{months} mois",
        "inactive_account": _years_or_months(settings.PASSERELLE_INACTIVE_ACCOUNT_DAYS),
        "grace": f"{settings.PASSERELLE_INACTIVE_GRACE_DAYS} jours",
        "dpo_email": settings.PASSERELLE_DPO_EMAIL,
    }


def legal_page_html():
    d = {key: escape(value) for key, value in durations().items()}
    dpo = f'<a href="mailto:{d["dpo_email"]}">{d["dpo_email"]}</a>'
    return (
        "<h2>Responsable du traitement</h2>"
        "<p>L'agence de mutualisation des établissements d'enseignement supérieur et de recherche, "
        f"qui publie Passerelle. Délégué à la protection des données (DPO) : {dpo}.</p>"
        "<h2>Ce que Passerelle enregistre</h2><ul>"
        "<li><b>Votre compte</b> : identifiant, prénom, nom, adresse électronique, date "
        "d'inscription et de dernière connexion, rôle (personnel d'établissement, chargé de "
        "domaine, éditeur).</li>"
        "<li><b>Votre profil</b> : établissement, fonction, domaines et publics suivis pour les "
        "actualités urgentes.</li>"
        "<li><b>Vos contributions</b> : sujets et messages du forum, pièces jointes, votes aux "
        "sondages, signalements envoyés aux modérateurs, retours d'expérience proposés au "
        "guide.</li>"
        "<li><b>Vos abonnements</b> aux sujets et forums, et vos préférences de courriel.</li>"
        "<li><b>L'historique de vos connexions</b> : date, méthode (mot de passe, fédération, "
        "ProConnect), adresse réseau tronquée (les derniers chiffres ne sont jamais gardés) et "
        "famille du navigateur ; les essais de mot de passe manqués sur votre compte aussi.</li>"
        "<li><b>Les courriels</b> que Passerelle vous envoie, le temps de les remettre.</li>"
        "</ul><p>Les avis « Cette page vous a-t-elle été utile ? » sont anonymes : ils ne sont "
        "rattachés à aucun compte. Passerelle ne fait aucune mesure d'audience.</p>"
        "<h2>Pourquoi (base légale)</h2>"
        "<p>Ces traitements relèvent de la mission d'intérêt public de l'agence (article 6.1.e "
        "du RGPD) : vous donner accès au guide et aux forums, vous envoyer les notifications "
        "que vous avez choisies, modérer les échanges. L'historique des connexions sert à la "
        "sécurité de votre compte.</p>"
        "<h2>Combien de temps</h2><ul>"
        f"<li>Historique des connexions : {d['signin_history']}.</li>"
        f"<li>Compte sans connexion depuis {d['inactive_account']} : vous êtes prévenu par "
        f"courriel, puis le compte est supprimé s'il n'y a pas de connexion dans les "
        f"{d['grace']} qui suivent ; vos messages restent alors sous le nom « Ancien "
        "membre ».</li>"
        "<li>Le reste, tant que votre compte existe : sa suppression efface vos données.</li>"
        "<li>Le journal de modération et les bonnes pratiques publiées à partir d'un retour "
        "d'expérience sont conservés par l'agence, sans votre nom.</li></ul>"
        "<h2>Vos droits</h2>"
        '<p>Depuis <a href="/compte/profil/">votre profil</a>, rubrique « Mes données '
        "personnelles », vous pouvez consulter et télécharger (fichier JSON) tout ce que "
        "Passerelle détient sur vous, et supprimer votre compte, en choisissant de supprimer vos "
        "messages ou de les garder sous le nom « Ancien membre ». Pour rectifier, vous opposer "
        f"ou toute autre question, écrivez au DPO : {dpo}. Vous pouvez aussi adresser une "
        'réclamation à la <a href="https://www.cnil.fr/fr/plaintes">CNIL</a>.</p>'
        "<h2>Cookies</h2>"
        "<p>Passerelle ne dépose que des cookies strictement nécessaires, sans consentement à "
        "demander, et aucun cookie de mesure d'audience ni de publicité :</p><ul>"
        "<li><code>sessionid</code> : votre session, déposé quand vous vous connectez, "
        "supprimé à la déconnexion ;</li>"
        "<li><code>csrftoken</code> : la protection contre la falsification de requêtes, "
        "déposé seulement quand vous remplissez un formulaire ou vous connectez ;</li>"
        "<li><code>messages</code> : le message de confirmation affiché après une action "
        "(« Votre profil est enregistré »), effacé dès qu'il est lu.</li></ul>"
        "<p>Le bandeau des alertes urgentes retient les alertes masquées dans le stockage local "
        "de votre navigateur, qui n'est jamais envoyé au site.</p>"
    )


def refresh_legal_page():
    """Publish the page again from the current settings; returns the page, or None when the
    site has no /donnees-personnelles/ page yet. Earlier versions stay in its revisions."""
    from kb.models import HomePage, StandardPage

    home = HomePage.objects.first()
    page = (
        StandardPage.objects.child_of(home).filter(slug="donnees-personnelles").first()
        if home
        else None
    )
    if page is None:
        return None
    page.body = [{"type": "rich_text", "value": legal_page_html()}]
    page.save_revision().publish()
    return page
