"""Demo forum: one category per domain, its forums, and discussions between establishments."""

from django.contrib.auth import get_user_model
from machina.core.db.models import get_model

from accounts.roles import sync_domain_permissions
from kb.models import Domain

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")

# domain slug, category name, [(forum name, description)]
CATEGORIES = [
    ("teletravail", "Télétravail et organisation", [
        ("Organisation du travail à distance", "Règles, outils, accompagnement des équipes."),
        ("Accès au SI et VPN", "Ouvrir et sécuriser l'accès distant au système d'information."),
    ]),
    ("rh", "RH / Siham", [("Siham et paie", "Questions et retours sur Siham et PMS.")]),
    ("scolarite", "Scolarité / Apogée et PC-scol", [
        ("Apogée", "Inscriptions, examens, patchs."),
        ("PC-scol", "Expérimentation et bascule vers PC-scol."),
    ]),
    ("recherche", "Recherche / SI Labo", [("SI Labo et Caplab", "Le SI des laboratoires.")]),
    ("finances", "Finances", [("Finances et achats", "Budget, factures, marchés.")]),
    ("securite-si", "Sécurité SI", [
        ("Alertes et vulnérabilités", "Échanges sur les alertes du CERT-FR."),
    ]),
    ("donnees-personnelles", "Données personnelles", [
        ("RGPD au quotidien", "Registre, information des personnes, relations avec la CNIL."),
    ]),
]  # fmt: skip

# forum name, subject, author, first post, [(author, reply)]
TOPICS = [
    ("Organisation du travail à distance", "Passer du télétravail un jour par semaine à la "
     "semaine entière", "personnel",
     "Bonjour,\n\nNous passons à un télétravail généralisé. Comment avez-vous organisé les "
     "points d'équipe et la disponibilité des agents ?",
     [("personnel2", "Chez nous, un point d'équipe quotidien de 15 minutes en visio, et une "
       "charte de disponibilité publiée sur l'intranet."),
      ("charge", "Le chapitre « Organiser le travail à distance » du guide reprend ces "
       "retours ; n'hésitez pas à le compléter.")]),
    ("Accès au SI et VPN", "Dimensionner le VPN pour 2 000 agents", "personnel",
     "Nos licences VPN couvraient 300 connexions simultanées. Quels retours sur le "
     "dimensionnement pour l'ensemble des agents ?",
     [("charge", "Comptez au moins 70 % des effectifs en connexions simultanées les premiers "
       "jours, puis ajustez avec les journaux de connexion.")]),
    ("Siham et paie", "Préparer la paie de décembre à distance", "personnel2",
     "Les gestionnaires de paie seront à distance en décembre. Des conseils pour les contrôles ?",
     [("charge-rh", "Travaillez en binômes pour les contrôles croisés et gardez une validation "
       "finale par le chef de service.")]),
    ("Apogée", "Patch Apogée avant l'ouverture des inscriptions", "personnel2",
     "Le dernier patch doit-il être passé avant l'ouverture des inscriptions en ligne ?",
     [("personnel", "Oui, nous l'avons passé en test deux semaines avant, sans difficulté.")]),
    ("Alertes et vulnérabilités", "CERTFR-2026-ALE-012 : retours sur le correctif VPN",
     "personnel",
     "Avez-vous appliqué le correctif ? Nous observons des déconnexions après la mise à jour.",
     [("personnel2", "Même constat ; un redémarrage complet de la passerelle a réglé le "
       "problème."),
      ("charge", "Merci pour vos retours : je les ajoute à la fiche de l'alerte.")]),
    ("RGPD au quotidien", "Enregistrer les réunions en visioconférence", "personnel",
     "Faut-il un consentement pour enregistrer une réunion de service ?",
     [("personnel2", "Notre DPO demande une information préalable et une durée de "
       "conservation courte.")]),
]  # fmt: skip


def load_forums():
    """Create the categories and forums that are missing and link each category to its domain."""
    created = 0
    for domain_slug, category_name, forums in CATEGORIES:
        category = Forum.objects.filter(name=category_name, parent__isnull=True).first()
        if category is None:
            category = Forum.objects.create(name=category_name, type=Forum.FORUM_CAT)
            created += 1
        for name, description in forums:
            if not Forum.objects.filter(name=name, parent=category).exists():
                Forum.objects.create(
                    name=name, description=description, type=Forum.FORUM_POST, parent=category
                )
                created += 1
        domain = Domain.objects.filter(slug=domain_slug).first()
        if domain is not None:
            if domain.forum_id is None:
                domain.forum = category
                domain.save(update_fields=["forum"])
            sync_domain_permissions(domain)
    return created


def load_topics():
    User = get_user_model()
    created = 0
    for forum_name, subject, author, content, replies in TOPICS:
        forum = Forum.objects.filter(name=forum_name, type=Forum.FORUM_POST).first()
        poster = User.objects.filter(username=author).first()
        if (
            forum is None
            or poster is None
            or Topic.objects.filter(forum=forum, subject=subject).exists()
        ):
            continue
        topic = Topic.objects.create(
            forum=forum, poster=poster, subject=subject, type=Topic.TOPIC_POST,
            status=Topic.TOPIC_UNLOCKED, approved=True,
        )  # fmt: skip
        Post.objects.create(
            topic=topic, poster=poster, subject=subject, content=content, approved=True
        )
        for reply_author, reply in replies:
            Post.objects.create(
                topic=topic,
                poster=User.objects.get(username=reply_author),
                subject=f"Re: {subject}",
                content=reply,
                approved=True,
            )
        created += 1
    return created


PRIVATE_GROUP = "Réseau RSSI"
PRIVATE_CATEGORY = "Réseau RSSI"
PRIVATE_FORUM = ("Échanges entre RSSI", "Forum réservé aux membres du réseau des RSSI.")
PRIVATE_MEMBERS = ["charge", "personnel"]
PRIVATE_TOPIC = (
    "Incident en cours : campagne d'hameçonnage ciblée",
    "Nous observons une campagne ciblant les comptes de messagerie des enseignants. "
    "Indicateurs partagés ici uniquement, merci de ne pas les diffuser.",
)


def load_community():
    """A private forum, a solved topic, an open report and subscriptions (idempotent)."""
    from django.contrib.auth.models import Group

    from forum.community.models import PostReport, Subscription, TopicSolution
    from forum.community.private import make_private

    User = get_user_model()
    # Only the demo's own accounts (they hold their demo role): a real person who happens to
    # have a demo login name is left alone.
    from accounts.roles import ROLE_NAMES

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["personnel", "personnel2", "charge", "charge-rh"],
            groups__name__in=ROLE_NAMES,
        ).distinct()
    }
    created = 0
    group, _ = Group.objects.get_or_create(name=PRIVATE_GROUP)
    category = Forum.objects.filter(name=PRIVATE_CATEGORY, parent__isnull=True).first()
    if category is None:
        category = Forum.objects.create(name=PRIVATE_CATEGORY, type=Forum.FORUM_CAT)
        forum = Forum.objects.create(
            name=PRIVATE_FORUM[0],
            description=PRIVATE_FORUM[1],
            type=Forum.FORUM_POST,
            parent=category,
        )
        make_private(category, group)
        created += 1
        for username in PRIVATE_MEMBERS:
            if username in users:
                users[username].groups.add(group)
        author = users.get("charge")
        if author is not None:
            subject, content = PRIVATE_TOPIC
            topic = Topic.objects.create(
                forum=forum, poster=author, subject=subject, type=Topic.TOPIC_POST,
                status=Topic.TOPIC_UNLOCKED, approved=True,
            )  # fmt: skip
            Post.objects.create(topic=topic, poster=author, subject=subject, content=content)

    vpn = Topic.objects.filter(subject="Dimensionner le VPN pour 2 000 agents").first()
    if vpn is not None and not TopicSolution.objects.filter(topic=vpn).exists():
        answer = (
            vpn.posts.filter(approved=True)
            .exclude(pk=vpn.first_post_id)
            .order_by("created")
            .first()
        )
        if answer is not None:
            TopicSolution.objects.create(topic=vpn, post=answer, marked_by=vpn.poster)
            created += 1

    rgpd = Topic.objects.filter(subject="Enregistrer les réunions en visioconférence").first()
    reporter = users.get("personnel")
    if rgpd is not None and reporter is not None:
        reported = rgpd.posts.exclude(pk=rgpd.first_post_id).order_by("created").first()
        if reported is not None and not PostReport.objects.filter(post=reported).exists():
            PostReport.objects.create(
                post=reported, forum=rgpd.forum, excerpt=reported.content.raw[:1000],
                reporter=reporter, reason=PostReport.Reason.WRONG,
                comment="La durée de conservation citée ne correspond pas à la délibération CNIL.",
            )  # fmt: skip
            created += 1

    wanted = [("personnel", "topic", vpn, "immediate"), ("personnel2", "topic", rgpd, "daily")]
    secu = Forum.objects.filter(name="Alertes et vulnérabilités").first()
    wanted.append(("charge", "forum", secu, "daily"))
    for username, kind, target, frequency in wanted:
        user = users.get(username)
        if user is None or target is None:
            continue
        _sub, was_created = Subscription.objects.get_or_create(
            user=user, **{kind: target}, defaults={"frequency": frequency}
        )
        created += was_created
    return created


# An unanswered question, waiting for five days and assigned in turn to the domain's officer.
UNANSWERED = (
    "Organisation du travail à distance",
    "Quelle solution de visioconférence pour les conseils centraux ?",
    "personnel2",
    "Nos conseils d'administration se tiendront à distance cet hiver. Quelle solution "
    "utilisez-vous pour les votes à bulletin secret ?",
    5,
)


def load_assignments(now=None):
    """An unanswered topic, five days old, assigned to its domain's officer (idempotent)."""
    import datetime

    from django.utils import timezone

    from accounts.roles import ROLE_NAMES
    from forum.community import assignment

    forum_name, subject, author, content, age_days = UNANSWERED
    User = get_user_model()
    poster = User.objects.filter(username=author, groups__name__in=ROLE_NAMES).first()
    forum = Forum.objects.filter(name=forum_name, type=Forum.FORUM_POST).first()
    if poster is None or forum is None:
        return 0
    created = 0
    topic = Topic.objects.filter(forum=forum, subject=subject).first()
    if topic is None:
        topic = Topic.objects.create(
            forum=forum, poster=poster, subject=subject, type=Topic.TOPIC_POST,
            status=Topic.TOPIC_UNLOCKED, approved=True,
        )  # fmt: skip
        post = Post.objects.create(
            topic=topic, poster=poster, subject=subject, content=content, approved=True
        )
        opened = (now or timezone.now()) - datetime.timedelta(days=age_days)
        Post.objects.filter(pk=post.pk).update(created=opened)
        Topic.objects.filter(pk=topic.pk).update(created=opened)
        created += 1
    if assignment.assignment_of(topic) is None:
        done = assignment.auto_assign(days=age_days - 1, now=now, topics=[topic.pk], notify=False)
        created += len(done)
    return created
