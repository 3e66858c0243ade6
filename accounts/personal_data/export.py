"""Everything Passerelle holds about one person, as one plain dict.

The same dict is the JSON download (keys in French: the person reads the file) and the readable
page. Every list is read with one query (``select_related`` / ``prefetch_related``), so the number
of queries does not grow with the number of posts, votes or messages.

Readers' feedback on guide pages ("Cette page vous a-t-elle été utile ?") is anonymous: it is not
linked to any account and so cannot be part of anyone's export; the section says so.
"""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from machina.core.db.models import get_model

from accounts.models import Profile
from accounts.personal_data_models import InactivityWarning, SignInEvent
from forum.community.models import MemberSettings, PostReport, Subscription
from kb.models import ExperienceSubmission
from outbox.models import Message, RefusedAddress

Post = get_model("forum_conversation", "Post")
Topic = get_model("forum_conversation", "Topic")
TopicPollVote = get_model("forum_polls", "TopicPollVote")
ForumProfile = get_model("forum_member", "ForumProfile")

FEEDBACK_NOTE = (
    "Les avis donnés sur les pages du guide (« Cette page vous a-t-elle été utile ? ») sont "
    "anonymes : ils ne sont rattachés à aucun compte."
)


def _date(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _file(field):
    return field.name.rsplit("/", 1)[-1] if field else ""


def collect(user):
    """The person's data, as a dict of JSON-ready values (French keys)."""
    profile = (
        Profile.objects.select_related("establishment")
        .prefetch_related("followed_domains", "followed_audiences")
        .filter(user=user)
        .first()
    )
    establishment = profile.establishment if profile else None
    forum_profile = ForumProfile.objects.filter(user=user).first()
    member_settings = MemberSettings.objects.filter(user=user).first()
    warning = InactivityWarning.objects.filter(user=user).first()

    posts = (
        Post.objects.filter(poster=user)
        .select_related("topic__forum")
        .prefetch_related("attachments")
        .order_by("created", "pk")
    )
    topics = Topic.objects.filter(poster=user).select_related("forum").order_by("created", "pk")
    votes = (
        TopicPollVote.objects.filter(voter=user)
        .select_related("poll_option__poll__topic")
        .order_by("timestamp", "pk")
    )
    submissions = (
        ExperienceSubmission.objects.filter(submitter=user)
        .select_related("domain", "establishment", "page")
        .order_by("created_at", "pk")
    )
    subscriptions = (
        Subscription.objects.filter(user=user)
        .select_related("topic", "forum")
        .order_by("created_at", "pk")
    )
    reports = (
        PostReport.objects.filter(reporter=user)
        .select_related("forum")
        .order_by("created_at", "pk")
    )
    events = SignInEvent.objects.filter(user=user).order_by("-at", "-pk")
    messages = (
        Message.objects.filter(to__iexact=user.email).order_by("created_at", "pk")
        if user.email
        else Message.objects.none()
    )

    posts = list(posts)
    return {
        "exporte_le": _date(timezone.now()),
        "compte": {
            "identifiant": user.get_username(),
            "prenom": user.first_name,
            "nom": user.last_name,
            "adresse_electronique": user.email,
            "inscrit_le": _date(user.date_joined),
            "derniere_connexion": _date(user.last_login),
            "actif": user.is_active,
            "sessions_ouvertes": _session_count(user),
            "avertissement_inactivite": _date(warning.warned_at) if warning else None,
        },
        "profil": {
            "fonction": profile.job_title if profile else "",
            "etablissement": (
                {"nom": establishment.name, "uai": establishment.uai} if establishment else None
            ),
            "domaines_suivis": [d.name for d in profile.followed_domains.all()] if profile else [],
            "publics_suivis": [a.name for a in profile.followed_audiences.all()] if profile else [],
            "contact_de_l_etablissement": bool(profile and profile.listed_as_contact),
            "sujets_de_contact": profile.contact_role if profile else "",
        },
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "administrateur": user.is_superuser,
        "forum": {
            "signature": (
                getattr(forum_profile.signature, "raw", "") or "" if forum_profile else ""
            ),
            "nombre_de_messages": forum_profile.posts_count if forum_profile else 0,
            "preferences": {
                "abonnement_automatique": (
                    member_settings.auto_subscribe if member_settings else True
                ),
                "courriel_quand_mentionne": (
                    member_settings.notify_mentions if member_settings else True
                ),
            },
        },
        "sujets": [
            {
                "id": topic.pk,
                "titre": topic.subject,
                "forum": topic.forum.name,
                "cree_le": _date(topic.created),
            }
            for topic in topics
        ],
        "messages_du_forum": [
            {
                "id": post.pk,
                "sujet": post.topic.subject,
                "forum": post.topic.forum.name,
                "titre": post.subject,
                "contenu": post.content.raw,
                "cree_le": _date(post.created),
                "modifie_le": _date(post.updated),
                "visible": bool(post.approved),
            }
            for post in posts
        ],
        "pieces_jointes": [
            {
                "message": post.pk,
                "fichier": _file(attachment.file),
                "commentaire": attachment.comment or "",
            }
            for post in posts
            for attachment in post.attachments.all()
        ],
        "votes_aux_sondages": [
            {
                "sujet": vote.poll_option.poll.topic.subject,
                "question": vote.poll_option.poll.question,
                "reponse": vote.poll_option.text,
                "le": _date(vote.timestamp),
            }
            for vote in votes
        ],
        "retours_d_experience": [
            {
                "titre": s.title,
                "domaine": s.domain.name,
                "etablissement": s.establishment.name if s.establishment else None,
                "contexte": s.context,
                "ce_qui_a_ete_fait": s.actions,
                "resultats": s.results,
                "outils": s.tools,
                "piece_jointe": _file(s.attachment),
                "accord_de_publication": s.consent_to_publish,
                "statut": str(s.get_status_display()),
                "page_creee": s.page.title if s.page else None,
                "envoye_le": _date(s.created_at),
            }
            for s in submissions
        ],
        "avis_sur_les_pages": {"note": FEEDBACK_NOTE, "avis": []},
        "abonnements": {
            "forum": [
                {
                    "sujet": sub.topic.subject if sub.topic else None,
                    "forum": sub.forum.name if sub.forum else None,
                    "frequence": str(sub.get_frequency_display()),
                    "depuis": _date(sub.created_at),
                }
                for sub in subscriptions
            ]
            + [
                # machina's own "follow this topic" list (Mes sujets suivis).
                {
                    "sujet": topic.subject,
                    "forum": None,
                    "frequence": gettext("sujet suivi"),
                    "depuis": None,
                }
                for topic in user.topic_subscriptions.order_by("pk")
            ],
            # Domains, guides, notice sources and audiences followed, with their rhythm, and
            # the digests sent (subscriptions app).
            "suivis": [
                {
                    "type": str(follow._meta.get_field(follow.kind).verbose_name),
                    "nom": str(
                        getattr(follow.target, "title", None)
                        or getattr(follow.target, "name", follow.target)
                    ),
                    "rythme": str(follow.get_rhythm_display()),
                    "depuis": _date(follow.created_at),
                }
                for follow in user.follows.select_related(
                    "domain", "audience", "page", "source"
                ).order_by("created_at", "pk")
            ],
            "resumes_envoyes": [
                {"periode": str(run.get_period_display()), "du": run.key, "elements": run.items}
                for run in user.digest_runs.order_by("created_at", "pk")
            ],
            "adresse_refusee": [
                {"refus": row.refusals, "dernier_refus": _date(row.last_refused_at)}
                for row in RefusedAddress.objects.filter(email__iexact=user.email or "-")
            ],
            "actualites_urgentes": {
                "publics": [a.name for a in profile.followed_audiences.all()] if profile else [],
                "domaines": [d.name for d in profile.followed_domains.all()] if profile else [],
            },
        },
        "signalements_envoyes": [
            {
                "forum": report.forum.name if report.forum else None,
                "motif": str(report.get_reason_display()),
                "precisions": report.comment,
                "extrait": report.excerpt,
                "etat": str(report.get_status_display()),
                "le": _date(report.created_at),
            }
            for report in reports
        ],
        "historique_des_connexions": sign_in_rows(events),
        "courriels_adresses": [
            {
                "objet": message.subject,
                "etat": str(message.get_status_display()),
                "cree_le": _date(message.created_at),
                "envoye_le": _date(message.sent_at),
            }
            for message in messages
        ],
    }


def sign_in_rows(events):
    return [
        {
            "le": _date(event.at),
            "reussie": event.succeeded,
            "methode": str(event.get_method_display()),
            "reseau": event.ip_prefix,
            "navigateur": event.user_agent_family,
        }
        for event in events
    ]


def _session_count(user):
    """Open sessions of ``user`` in the database (the session store of every deployment)."""
    return len(session_keys_for([user.pk]).get(user.pk, []))


def session_keys_for(user_ids):
    """{user id: [session keys]} of the unexpired database sessions of those users.

    Sessions are not linked to users in the database: each one is decoded. This is one query,
    run only for an export, a deletion or the retention command.
    """
    wanted = {str(pk): pk for pk in user_ids}
    found = {}
    if not wanted:
        return found
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            owner = str(session.get_decoded().get("_auth_user_id", ""))
        except Exception:  # noqa: S112 - a session Django cannot decode belongs to nobody
            continue
        if owner in wanted:
            found.setdefault(wanted[owner], []).append(session.session_key)
    return found


def known_user_references():
    """Every (model, field) of an installed app with a foreign key to the user model."""
    User = get_user_model()
    from django.apps import apps

    fields = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            linked = getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)
            if linked and field.concrete and field.related_model is User:
                fields.append((model, field))
    return fields


def remaining_references(user_id):
    """[(model label, field name, count)] of rows still pointing at ``user_id``."""
    remaining = []
    for model, field in known_user_references():
        count = model._base_manager.filter(Q(**{field.attname: user_id})).count()
        if count:
            remaining.append((model._meta.label, field.name, count))
    return remaining
