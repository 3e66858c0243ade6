"""The emails of the follows whose rhythm is « immédiatement », sent as soon as something is
published: a guide or practice page's change (not a minor one), and a notice.

Rules (those of the digests, at once instead of once a period):
- a guide page's change goes to the people who follow, immediately, its domain, the page itself
  or one of its ancestors (its guide, its chapter, the guide index); a notice to those who follow
  its source, one of its domains or one of its audiences;
- who follows a domain or an audience stays on the profile (``accounts.Profile``); a
  ``Follow`` row only changes its rhythm, no row means « immédiatement »
  (``subscriptions.follows``);
- an urgent notice already alerts the people who follow its domains and audiences
  (``notices.alerts``): they get nothing more from here, only its source's followers do;
- never a page anyone must sign in, give a password or belong to a group to read (nor one below
  it), never an expired notice, never to the editor who published it, never to an inactive
  account, an empty or a refused address (``outbox.RefusedAddress``);
- once per page revision (or notice) and person: the outbox's ``dedup_key``, so publishing the
  same revision again, or a task run twice, sends nothing more.

Each email carries the signed stop link of the follow that brought it and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (``subscriptions.tokens``). The number
of queries does not grow with the number of followers. Called by the tasks
``ops.tasks.notify_page_followers`` and ``ops.tasks.notify_notice_followers``, enqueued once the
publication has committed (``subscriptions.apps``).
"""

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Page

from subscriptions import tokens
from subscriptions.follows import readable_page, restricted_paths
from subscriptions.models import Follow, Rhythm


def _profile_followers(field, ids):
    """{user_id: pk} of the people whose profile follows one of ``ids`` (domains or audiences)
    at the rhythm « immédiatement » (no ``Follow`` row, or one saying so). Two queries."""
    from accounts.models import Profile

    if not ids:
        return {}
    kind = {"followed_domains": "domain", "followed_audiences": "audience"}[field]
    through = getattr(Profile, field).through
    rows = list(
        through.objects.filter(**{f"{kind}_id__in": ids}).values_list(
            "profile__user_id", f"{kind}_id"
        )
    )
    # Followed at another rhythm (the digest brings it); another of ``ids`` still followed at
    # once keeps the person (a notice of two domains).
    elsewhere = set(
        Follow.objects.filter(**{f"{kind}_id__in": ids}, user_id__in=list({u for u, _pk in rows}))
        .exclude(rhythm=Rhythm.IMMEDIATE)
        .values_list("user_id", f"{kind}_id")
    )
    found = {}
    for user_id, pk in rows:
        if (user_id, pk) not in elsewhere:
            found.setdefault(user_id, pk)
    return found


def _recipients(reasons, exclude_ids):
    """The people of ``reasons`` ({user_id: (kind, pk)}) who may receive an email now."""
    from outbox.models import RefusedAddress

    ids = [i for i in reasons if i not in exclude_ids]
    if not ids:
        return []
    users = list(
        get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk")
    )
    stopped = {
        e.lower()
        for e in RefusedAddress.objects.filter(
            email__in=[u.email.lower() for u in users], refusals__gte=RefusedAddress.STOP_AFTER
        ).values_list("email", flat=True)
    }
    return [u for u in users if u.email.lower() not in stopped]


def _queue(users, reasons, dedup_prefix, subject, context):
    """One outbox message per person, with their stop link; their delivery as one task.
    Returns how many were queued this time."""
    from outbox.delivery import enqueue_many
    from outbox.models import Message

    if not users:
        return 0
    page_url = tokens.base_url() + reverse("subscriptions:page")
    messages = []
    for user in users:
        kind, target = reasons[user.pk]
        token = tokens.make(user, kind, target)
        stop = tokens.stop_url(token)
        personal = {**context, "user": user, "page_url": page_url, "unsubscribe_url": stop}
        messages.append(
            Message(
                to=user.email,
                subject=subject[:255],
                body_text=render_to_string("subscriptions/emails/immediate.txt", personal),
                body_html=render_to_string("subscriptions/emails/immediate.html", personal),
                headers={
                    **tokens.headers(token, stop),
                    "Auto-Submitted": "auto-generated",
                    "X-Auto-Response-Suppress": "All",
                },
                dedup_key=f"{dedup_prefix}:{user.pk}",
            )
        )
    return len(enqueue_many(messages))


def _publishers(page_id, revision_id):
    """Who published this revision (the publish log entry) and who wrote it."""
    from wagtail.models import PageLogEntry, Revision

    ids = set(
        PageLogEntry.objects.filter(
            page_id=page_id, revision_id=revision_id, action="wagtail.publish"
        ).values_list("user_id", flat=True)
    )
    if revision_id:
        ids |= set(Revision.objects.filter(pk=revision_id).values_list("user_id", flat=True))
    return {i for i in ids if i}


def notify_page_update(page_id, revision_id):
    """Queue the emails of a published change of a guide or practice page; return how many."""
    from kb.models import PageUpdate

    update = (
        PageUpdate.objects.filter(page_id=page_id, revision_id=revision_id)
        .select_related("page")
        .order_by("-pk")
        .first()
    )
    if update is None or update.minor or not readable_page(update.page, restricted_paths()):
        return 0
    page = update.page
    steplen = Page.steplen
    ancestors = [page.path[:n] for n in range(steplen, len(page.path) + 1, steplen)]
    reasons = {}
    if update.domain_id:
        for user_id, domain_id in _profile_followers(
            "followed_domains", [update.domain_id]
        ).items():
            reasons[user_id] = ("domain", domain_id)
    # The follow nearest to the page (the page, then its chapter, its guide…) names the stop link.
    for user_id, followed_id in (
        Follow.objects.filter(rhythm=Rhythm.IMMEDIATE, page__path__in=ancestors)
        .order_by("page__depth")
        .values_list("user_id", "page_id")
    ):
        reasons[user_id] = ("page", followed_id)
    users = _recipients(reasons, _publishers(page_id, revision_id))
    path = page.get_url()
    context = {
        "update": True,
        "title": update.title,
        "note": update.note,
        "url": tokens.base_url() + path if path and path.startswith("/") else path,
    }
    subject = _("[Passerelle] Guide mis à jour : %(title)s") % {"title": update.title}
    key = f"follow-page:{page_id}:{revision_id or 'u' + str(update.pk)}"
    return _queue(users, reasons, key, subject, context)


def notify_notice(notice_id):
    """Queue the emails of a published notice; return how many."""
    from notices.alerts import should_alert
    from notices.models import NoticePage

    notice = NoticePage.objects.filter(pk=notice_id).select_related("source").first()
    if notice is None or notice.is_archived or not readable_page(notice, restricted_paths()):
        return 0
    domains = list(notice.domains.values_list("pk", flat=True))
    audiences = list(notice.audiences.values_list("pk", flat=True))
    reasons = {}
    for user_id, pk in _profile_followers("followed_audiences", audiences).items():
        reasons[user_id] = ("audience", pk)
    for user_id, pk in _profile_followers("followed_domains", domains).items():
        reasons[user_id] = ("domain", pk)
    for user_id in Follow.objects.filter(
        rhythm=Rhythm.IMMEDIATE, source_id=notice.source_id
    ).values_list("user_id", flat=True):
        reasons[user_id] = ("source", notice.source_id)
    exclude = _publishers(notice.pk, notice.live_revision_id)
    if should_alert(notice):
        # The urgent alert already reached whoever follows its domains or audiences.
        from notices.alerts import recipients

        exclude |= set(recipients(notice).values_list("pk", flat=True))
    users = _recipients(reasons, exclude)
    path = notice.get_url()
    context = {
        "update": False,
        "title": notice.title,
        "source": notice.source.name if notice.source_id else "",
        "summary": notice.summary,
        "url": tokens.base_url() + path if path and path.startswith("/") else path,
    }
    subject = _("[Passerelle] %(source)s : %(title)s") % {
        "source": notice.source if notice.source_id else _("Actualité"),
        "title": notice.title,
    }
    return _queue(users, reasons, f"follow-notice:{notice.pk}", subject, context)
