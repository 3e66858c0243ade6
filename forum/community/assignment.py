"""Officers own every unanswered topic.

- A topic of a domain's forums can be **assigned** to one of that domain's officers, by a
  moderator of the forum (an officer may take it for themself), or automatically by
  ``assign_unanswered_topics`` (cron, daily): a topic that has waited ``AUTO_ASSIGN_DAYS`` days
  without an answer goes, in turn, to the domain's officer with the fewest open assignments.
- A moderator may decide that a topic needs **no answer** (an announcement, a duplicate): it
  leaves the unanswered lists.
- Every assignment, reassignment and "no answer needed" leaves a line in the moderation log.
- The assigned officer is emailed (through the outbox) unless they took the topic themself;
  each officer gets a weekly summary (``send_officer_summaries``, once per ISO week).
- A domain's page shows its median time to first answer (``first_answer_stats``).

Who may read what is never widened here: an officer is eligible for a topic only if machina lets
them read and moderate its forum.
"""

import datetime
import statistics

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from machina.core.db.models import get_model

from forum.community import emails
from forum.community.access import can_moderate
from forum.community.models import ModerationAction, TopicAssignment
from forum.community.moderation import log

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")

AUTO_ASSIGN_DAYS = getattr(settings, "PASSERELLE_AUTO_ASSIGN_DAYS", 3)
FIRST_ANSWER_WINDOW_DAYS = 90


def display_name(user):
    return user.get_full_name() or user.get_username()


# --- Domains and their officers ---------------------------------------------------------------


def domain_of(forum):
    """The domain whose forum category holds ``forum`` (the nearest one), or None."""
    from kb.models import Domain

    ancestors = {f.pk: f.level for f in forum.get_ancestors(include_self=True)}
    domains = list(Domain.objects.filter(forum_id__in=ancestors).select_related("officer_group"))
    if not domains:
        return None
    return max(domains, key=lambda d: ancestors[d.forum_id])


def officers_for(topic, domain=None):
    """Active officers of the topic's domain who may moderate its forum, by name."""
    domain = domain or domain_of(topic.forum)
    if domain is None:
        return []
    people = domain.officers.order_by("last_name", "first_name", "username")
    return [person for person in people if can_moderate(topic.forum, person)]


def domain_forum_ids(domain):
    if domain.forum_id is None:
        return []
    return list(domain.forum.get_descendants(include_self=True).values_list("pk", flat=True))


# --- Unanswered topics -------------------------------------------------------------------------


def unanswered(forum_ids):
    """Approved, unlocked topics of ``forum_ids`` with no visible reply, unless a moderator said
    they need no answer."""
    return (
        Topic.objects.filter(forum_id__in=forum_ids, approved=True, posts_count__lte=1)
        .exclude(status=Topic.TOPIC_LOCKED)
        .exclude(assignment__state=TopicAssignment.State.NO_ANSWER_NEEDED)
    )


def unanswered_for_workbench(forum_ids, user, older_than):
    """The workbench list: the reader's own assignments first, then the oldest first."""
    return (
        unanswered(forum_ids)
        .filter(created__lt=older_than)
        .select_related("forum", "poster", "assignment__officer")
        .annotate(
            mine=Case(
                When(assignment__officer=user, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("mine", "created")
    )


def assignment_of(topic):
    return TopicAssignment.objects.filter(topic=topic).select_related("officer").first()


# --- Actions -----------------------------------------------------------------------------------


def _notify_officer(assignment, actor):
    officer = assignment.officer
    if officer is None or (actor is not None and actor.pk == officer.pk):
        return
    topic = assignment.topic
    emails.send(
        officer,
        _("Sujet à traiter : %(subject)s") % {"subject": topic.subject},
        "forum_community/emails/assignment",
        {
            "topic": topic,
            "assignment": assignment,
            "actor": actor,
            "url": _topic_url(topic),
        },
        dedup_key=f"assignment:{assignment.pk}:{officer.pk}:{assignment.assigned_at.isoformat()}",
    )


def _topic_url(topic):
    from forum.community.notifications import topic_url

    return topic_url(topic)


@transaction.atomic
def assign(topic, officer, actor=None, note="", automatic=False, now=None, notify=True):
    """Give ``topic`` to ``officer``; raises ValidationError if they are not one of its domain's
    officers. Reassigning to the same officer changes nothing."""
    eligible = officers_for(topic)
    if officer.pk not in {person.pk for person in eligible}:
        raise ValidationError(
            _("%(name)s n'est pas chargé(e) du domaine de ce forum.")
            % {"name": display_name(officer)}
        )
    now = now or timezone.now()
    current = TopicAssignment.objects.select_for_update().filter(topic=topic).first()
    if (
        current is not None
        and current.state == TopicAssignment.State.ASSIGNED
        and current.officer_id == officer.pk
    ):
        return current
    previous = current.officer if current is not None else None
    if current is None:
        current = TopicAssignment(topic=topic)
    current.state = TopicAssignment.State.ASSIGNED
    current.officer = officer
    current.automatic = automatic
    current.assigned_by = actor
    current.assigned_at = now
    current.save()
    if previous is not None and previous.pk != officer.pk:
        summary = _("Réattribué de %(old)s à %(new)s") % {
            "old": display_name(previous),
            "new": display_name(officer),
        }
    else:
        summary = _("Attribué à %(name)s") % {"name": display_name(officer)}
    if automatic:
        summary += " " + _("(attribution automatique)")
    log(
        actor,
        ModerationAction.Kind.ASSIGN,
        topic=topic,
        note=f"{summary}. {note}".strip() if note else summary,
    )
    if notify:
        _notify_officer(current, actor)
    return current


@transaction.atomic
def mark_no_answer_needed(topic, actor, note="", now=None):
    current = TopicAssignment.objects.select_for_update().filter(topic=topic).first()
    if current is None:
        current = TopicAssignment(topic=topic)
    current.state = TopicAssignment.State.NO_ANSWER_NEEDED
    current.automatic = False
    current.assigned_by = actor
    current.assigned_at = now or timezone.now()
    current.save()
    log(actor, ModerationAction.Kind.NO_ANSWER, topic=topic, note=note)
    return current


def auto_assign(days=None, now=None, topics=None, notify=True):
    """Assign, in turn, every topic unanswered for ``days`` days that nobody owns (or whose
    officer left the domain) to the domain's officer with the fewest open assignments (then the
    one assigned longest ago, then by id). Idempotent: run twice, it assigns nothing more.
    ``topics`` restricts it to some topic ids (the demo loader)."""
    from kb.models import Domain

    now = now or timezone.now()
    days = AUTO_ASSIGN_DAYS if days is None else days
    older_than = now - datetime.timedelta(days=days)
    done = []
    for domain in Domain.objects.exclude(forum=None).select_related("forum", "officer_group"):
        forum_ids = domain_forum_ids(domain)
        waiting = unanswered(forum_ids).filter(created__lt=older_than)
        if topics is not None:
            waiting = waiting.filter(pk__in=topics)
        waiting = list(waiting.select_related("forum", "assignment").order_by("created", "pk"))
        if not waiting:
            continue
        officers = None
        load = {}
        for topic in waiting:
            current = getattr(topic, "assignment", None)
            eligible = officers_for(topic, domain)
            if not eligible:
                continue
            if current is not None and current.officer_id in {p.pk for p in eligible}:
                continue
            if officers is None:
                officers = eligible
                load = _open_load([p.pk for p in officers])
            candidates = [p for p in officers if p.pk in {e.pk for e in eligible}]
            if not candidates:
                continue
            chosen = min(candidates, key=lambda p: (*load.get(p.pk, (0, None)), p.pk))
            assign(topic, chosen, actor=None, automatic=True, now=now, notify=notify)
            count, _last = load.get(chosen.pk, (0, None))
            load[chosen.pk] = (count + 1, now.timestamp())
            done.append((topic, chosen))
    return done


def _open_load(officer_ids):
    """{officer id: (open assignments, timestamp of the latest one)} for round-robin."""
    rows = (
        TopicAssignment.objects.filter(
            officer_id__in=officer_ids, state=TopicAssignment.State.ASSIGNED
        )
        .values("officer_id")
        .annotate(
            open=Count("pk", filter=Q(topic__posts_count__lte=1)),
            latest=Max("assigned_at"),
        )
    )
    return {
        row["officer_id"]: (row["open"], row["latest"].timestamp() if row["latest"] else 0)
        for row in rows
    }


# --- Figures -----------------------------------------------------------------------------------


def first_answer_stats(domain, days=FIRST_ANSWER_WINDOW_DAYS, now=None):
    """Median time to first answer over the topics of ``domain`` opened in the last ``days``
    days: {"median": timedelta or None, "answered": n, "unanswered": n}. Two queries."""
    now = now or timezone.now()
    forum_ids = domain_forum_ids(domain)
    if not forum_ids:
        return {"median": None, "median_label": "", "answered": 0, "unanswered": 0, "days": days}
    since = now - datetime.timedelta(days=days)
    topics = Topic.objects.filter(forum_id__in=forum_ids, approved=True, created__gte=since)
    firsts = (
        Post.objects.filter(topic__in=topics, approved=True)
        .exclude(pk=F("topic__first_post_id"))
        .values("topic_id", "topic__created")
        .annotate(first=Min("created"))
    )
    delays = [row["first"] - row["topic__created"] for row in firsts]
    unanswered_count = (
        topics.filter(posts_count__lte=1)
        .exclude(assignment__state=TopicAssignment.State.NO_ANSWER_NEEDED)
        .count()
    )
    median = statistics.median(delays) if delays else None
    return {
        "median": median,
        "median_label": format_delay(median) if median is not None else "",
        "answered": len(delays),
        "unanswered": unanswered_count,
        "days": days,
    }


# --- Weekly summary ----------------------------------------------------------------------------


def format_delay(delay):
    """A delay in French words, rounded: « 45 min », « 3 h 20 min », « 2 j 4 h »."""
    minutes = max(int(delay.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    values = {"d": days, "h": hours, "m": minutes}
    if days:
        return (_("%(d)s j %(h)s h") if hours else _("%(d)s j")) % values
    if hours:
        return (_("%(h)s h %(m)s min") if minutes else _("%(h)s h")) % values
    return _("%(m)s min") % values


def officers_with_domains():
    """{officer: [domains]} for every active officer with an email."""
    from kb.models import Domain

    result = {}
    User = get_user_model()
    for domain in Domain.objects.exclude(officer_group=None).select_related("officer_group"):
        for person in User.objects.filter(groups=domain.officer_group_id, is_active=True).exclude(
            email=""
        ):
            result.setdefault(person, []).append(domain)
    return result


def send_weekly_summaries(now=None):
    """One summary per officer and ISO week: their open assignments, with their age, and the
    unanswered topics of their domains nobody owns. Nothing is sent to an officer with nothing to
    do. Returns how many were queued (0 the second time in the same week)."""
    now = now or timezone.now()
    year, week, _weekday = timezone.localtime(now).isocalendar()
    queued = 0
    for officer, domains in officers_with_domains().items():
        forum_ids = [pk for domain in domains for pk in domain_forum_ids(domain)]
        readable = [pk for pk in forum_ids if can_moderate(Forum.objects.get(pk=pk), officer)]
        open_topics = list(
            unanswered(readable).select_related("forum", "assignment__officer").order_by("created")
        )
        mine = [t for t in open_topics if _officer_id(t) == officer.pk]
        unowned = [t for t in open_topics if _officer_id(t) is None]
        if not mine and not unowned:
            continue
        message = emails.send(
            officer,
            _("Vos sujets sans réponse – semaine %(week)s") % {"week": week},
            "forum_community/emails/officer_summary",
            {
                "mine": [(t, _topic_url(t)) for t in mine],
                "unowned": [(t, _topic_url(t)) for t in unowned],
                "domains": domains,
                "now": now,
                "workbench_url": emails.absolute("/forum/espace-moderation/"),
            },
            dedup_key=f"officer-summary:{officer.pk}:{year}-W{week:02d}",
        )
        if message is not None:
            queued += 1
    return queued


def _officer_id(topic):
    assignment = getattr(topic, "assignment", None)
    if assignment is None or assignment.state != TopicAssignment.State.ASSIGNED:
        return None
    return assignment.officer_id
