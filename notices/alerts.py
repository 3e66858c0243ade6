"""Urgent notices, once published, are emailed to the people they concern.

They are queued by a background task (``ops.tasks.alert_urgent_notice``) once the publication
has committed. The rule: an urgent notice that is live, public and not expired goes to every
active user with an email address who follows one of its audiences or one of its domains. Each
person receives it once: the outbox's ``dedup_key`` is per notice and per person, so
re-publishing an edit sends nothing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from notices.models import NoticePage
from outbox.delivery import enqueue
from passerelle.sanitizer import sanitize_html
from subscriptions import tokens


def recipients(notice):
    audiences = list(notice.audiences.values_list("pk", flat=True))
    domains = list(notice.domains.values_list("pk", flat=True))
    if not audiences and not domains:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(profile__followed_audiences__in=audiences) | Q(profile__followed_domains__in=domains)
        )
        .distinct()
        .order_by("pk")
    )


def _reasons(notice, users):
    """{user id: ("domain" | "audience", pk)}: the followed domain (else audience) that makes
    each recipient receive ``notice``, for their stop link. Two queries."""
    from accounts.models import Profile

    found = {}
    domains = list(notice.domains.values_list("pk", flat=True))
    audiences = list(notice.audiences.values_list("pk", flat=True))
    ids = list(users.values_list("pk", flat=True))
    for user_id, audience_id in Profile.followed_audiences.through.objects.filter(
        profile__user_id__in=ids, audience_id__in=audiences
    ).values_list("profile__user_id", "audience_id"):
        found[user_id] = ("audience", audience_id)
    for user_id, domain_id in Profile.followed_domains.through.objects.filter(
        profile__user_id__in=ids, domain_id__in=domains
    ).values_list("profile__user_id", "domain_id"):
        found[user_id] = ("domain", domain_id)
    return found


def should_alert(notice):
    return (
        notice.priority == NoticePage.Priority.URGENT
        and notice.live
        and not notice.is_archived
        and notice.get_view_restrictions().count() == 0
    )


def notify_urgent_notice(notice):
    """Queue one email per concerned person; return how many were queued this time."""
    notice = NoticePage.objects.get(pk=notice.pk)  # the published state, not a revision
    if not should_alert(notice):
        return 0
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    context = {
        "notice": notice,
        "url": f"{base_url}{notice.url}",
        "settings_url": f"{base_url}/",
        "published": timezone.localdate(notice.first_published_at or timezone.now()),
        # The HTML part: the impact's rich text through the sanitizer, at the point of output.
        "impact_html": mark_safe(sanitize_html(expand_db_html(notice.impact))),  # noqa: S308
    }
    subject = _("[Urgent] %(source)s : %(title)s") % {
        "source": notice.source,
        "title": notice.title,
    }
    text = render_to_string("notices/email/urgent_notice.txt", context)
    html = render_to_string("notices/email/urgent_notice.html", context)
    queued = 0
    reasons = _reasons(notice, recipients(notice))
    for user in recipients(notice).iterator():
        # The signed stop link (and RFC 8058 headers) of the follow that brought this email.
        kind, target = reasons.get(user.pk, ("digest", "daily"))
        token = tokens.make(user, kind, target)
        stop = tokens.stop_url(token)
        stop_text = _("Ne plus recevoir ces actualités : %(url)s") % {"url": stop}
        message = enqueue(
            user.email,
            subject,
            f"{text}\n{stop_text}\n",
            html=f'{html}<p><a href="{stop}">{_("Ne plus recevoir ces actualités")}</a></p>',
            headers={
                "Auto-Submitted": "auto-generated",
                "X-Auto-Response-Suppress": "All",
                **tokens.headers(token, stop),
            },
            dedup_key=f"notice-urgent:{notice.pk}:{user.pk}",
        )
        queued += message is not None
    return queued


def on_page_published(sender, instance, **kwargs):
    """The emails leave in a background task once the publication has committed: rendering
    and queuing them for every follower would otherwise delay the Publish click, and with it
    the purge that shows the urgent banner."""
    from ops.tasks import alert_urgent_notice, enqueue_on_commit

    if instance.priority == NoticePage.Priority.URGENT:
        enqueue_on_commit(alert_urgent_notice, instance.pk)
