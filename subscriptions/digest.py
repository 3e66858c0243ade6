"""One digest per person and period (daily, weekly): everything followed at that rhythm, grouped
by domain, with links.

Rules:
- a followed **domain** brings its guide pages' published changes (with their update notes, not
  the minor ones), its notices and the new topics of its forums; replies only come from
  followed topics (and from followed forums, as forum subscriptions always did);
- a followed guide page (or the guide index: every guide) brings its changes; a notice source or
  an audience brings its notices; forum and topic subscriptions bring their new posts;
- never what the person may not read today: live pages without view restriction only, forums
  their permissions let them read (checked now, not when they subscribed), nothing they wrote;
- never empty, and at most one per person and period (``DigestRun``, unique per person, period
  and day/week; the outbox's ``dedup_key`` guards a second job running at the same time).

The number of queries is fixed whatever the number of recipients and items: everything of the
window is read once, then sorted out per person in Python; readable forums are computed once per
set of groups (machina's permissions come from groups, per-user grants are rare and handled one by
one).
"""

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from machina.core.db.models import get_model
from machina.core.loading import get_class

from subscriptions import tokens
from subscriptions.follows import restricted_paths
from subscriptions.models import DigestRun, Follow, Rhythm

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")
UserForumPermission = get_model("forum_permission", "UserForumPermission")
PermissionHandler = get_class("forum_permission.handler", "PermissionHandler")

WINDOWS = {Rhythm.DAILY: datetime.timedelta(days=1), Rhythm.WEEKLY: datetime.timedelta(days=7)}


def period_key(period, now):
    day = timezone.localdate(now)
    if period == Rhythm.DAILY:
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


class _Followed:
    def __init__(self):
        self.domains, self.audiences, self.sources = set(), set(), set()
        self.pages, self.page_paths = set(), []
        self.forums, self.topics = set(), set()
        self.other_topics = set()  # topics followed at another rhythm: not from a forum follow


def _who_follows_what(period):
    """{user_id: _Followed} of the active people with an address following something at
    ``period``. Domains and audiences count only when the profile still has them."""
    from accounts.models import Profile
    from forum.community.models import Subscription

    followed = defaultdict(_Followed)
    rows = (
        Follow.objects.filter(rhythm=period, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "domain_id", "audience_id", "page_id", "page__path", "source_id")
    )
    for user_id, domain_id, audience_id, page_id, page_path, source_id in rows:
        f = followed[user_id]
        if domain_id:
            f.domains.add(domain_id)
        elif audience_id:
            f.audiences.add(audience_id)
        elif page_id:
            f.pages.add(page_id)
            f.page_paths.append(page_path)
        else:
            f.sources.add(source_id)
    if followed:
        ids = list(followed)
        kept_domains = set(
            Profile.followed_domains.through.objects.filter(profile__user_id__in=ids).values_list(
                "profile__user_id", "domain_id"
            )
        )
        kept_audiences = set(
            Profile.followed_audiences.through.objects.filter(profile__user_id__in=ids).values_list(
                "profile__user_id", "audience_id"
            )
        )
        for user_id, f in followed.items():
            f.domains = {d for d in f.domains if (user_id, d) in kept_domains}
            f.audiences = {a for a in f.audiences if (user_id, a) in kept_audiences}
    subs = (
        Subscription.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "topic_id", "forum_id", "frequency")
    )
    for user_id, topic_id, forum_id, frequency in subs:
        if frequency == period:
            f = followed[user_id]
            if topic_id:
                f.topics.add(topic_id)
            else:
                f.forums.add(forum_id)
        elif topic_id and user_id in followed:
            followed[user_id].other_topics.add(topic_id)
    return followed


def _readable_forums(users):
    """{user_id: set of readable forum ids}, one permission computation per set of groups."""
    User = get_user_model()
    ids = [u.pk for u in users]
    personal = set(
        UserForumPermission.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    groups = defaultdict(set)
    for user_id, group_id in User.groups.through.objects.filter(user_id__in=ids).values_list(
        "user_id", "group_id"
    ):
        groups[user_id].add(group_id)
    forums = Forum.objects.all()
    cache, readable = {}, {}
    for user in users:
        if user.pk in personal or user.is_superuser:
            key = ("user", user.pk)
        else:
            key = frozenset(groups[user.pk])
        if key not in cache:
            handler = PermissionHandler()
            cache[key] = set(handler.get_readable_forums(forums, user).values_list("id", flat=True))
        readable[user.pk] = cache[key]
    return readable


class _Window:
    """Everything published in the window, read once."""

    def __init__(self, since, until):
        from kb.models import Domain, PageUpdate
        from notices.models import NoticePage

        restricted = restricted_paths()

        def readable(page):
            return page.live and not any(page.path.startswith(p) for p in restricted)

        self.domains = {d.pk: d for d in Domain.objects.all()}
        self.updates = [
            u
            for u in PageUpdate.objects.filter(
                minor=False, published_at__gte=since, published_at__lt=until
            )
            .select_related("page")
            .order_by("published_at", "pk")
            if readable(u.page)
        ]
        self.notices = [
            n
            for n in NoticePage.objects.live()
            .filter(first_published_at__gte=since, first_published_at__lt=until)
            .select_related("source")
            .prefetch_related("domains", "audiences")
            .order_by("first_published_at", "pk")
            if readable(n)
        ]
        self.topics = list(
            Topic.objects.filter(created__gte=since, created__lt=until, approved=True)
            .select_related("forum")
            .order_by("created", "pk")
        )
        self.posts = list(
            Post.objects.filter(
                created__gte=since, created__lt=until, approved=True, topic__approved=True
            )
            .select_related("topic__forum")
            .order_by("topic_id", "created", "pk")
        )
        # Which domain each forum belongs to (its nearest category owned by a domain).
        parents = dict(Forum.objects.values_list("id", "parent_id"))
        owner = {d.forum_id: d.pk for d in self.domains.values() if d.forum_id}
        self.forum_domain = {}
        for forum_id in parents:
            current = forum_id
            while current is not None and current not in owner:
                current = parents.get(current)
            self.forum_domain[forum_id] = owner.get(current)
        self.urls = {}

    def url(self, obj):
        key = (type(obj).__name__, obj.pk)
        if key not in self.urls:
            if isinstance(obj, Topic):
                from forum.community.notifications import topic_url

                path = topic_url(obj)
            else:
                path = obj.get_url()
            self.urls[key] = tokens.base_url() + path if path.startswith("/") else path
        return self.urls[key]


def _groups_for(user, f, window, readable_forums):
    """[{"domain": name or None, "updates": […], "notices": […], "topics": […], "discussions":
    […]}] for one person, or [] when nothing is new for them."""
    groups = {}

    def group(domain_id):
        if domain_id not in groups:
            domain = window.domains.get(domain_id)
            groups[domain_id] = {
                "domain": domain.name if domain else None,
                "updates": [],
                "notices": [],
                "topics": [],
                "discussions": [],
            }
        return groups[domain_id]

    for update in window.updates:
        if (
            update.domain_id in f.domains
            or update.page_id in f.pages
            or any(update.page.path.startswith(p) for p in f.page_paths)
        ):
            group(update.domain_id)["updates"].append(
                {"title": update.title, "note": update.note, "url": window.url(update.page)}
            )
    for notice in window.notices:
        notice_domains = [d.pk for d in notice.domains.all()]
        mine = [d for d in notice_domains if d in f.domains]
        if (
            mine
            or notice.source_id in f.sources
            or any(a.pk in f.audiences for a in notice.audiences.all())
        ):
            domain_id = (mine or notice_domains or [None])[0]
            group(domain_id)["notices"].append(
                {"title": notice.title, "source": notice.source.name, "url": window.url(notice)}
            )
    readable = readable_forums.get(user.pk, set())
    new_topics = set()
    for topic in window.topics:
        domain_id = window.forum_domain.get(topic.forum_id)
        if (
            domain_id in f.domains
            and topic.forum_id in readable
            and topic.poster_id != user.pk
            and topic.pk not in f.topics
        ):
            group(domain_id)["topics"].append(
                {"title": topic.subject, "forum": topic.forum.name, "url": window.url(topic)}
            )
            new_topics.add(topic.pk)
    discussions = {}
    for post in window.posts:
        topic = post.topic
        followed = topic.pk in f.topics or (
            topic.forum_id in f.forums and topic.pk not in f.other_topics
        )
        if not followed or post.poster_id == user.pk or topic.forum_id not in readable:
            continue
        if topic.pk not in discussions:
            discussions[topic.pk] = {
                "title": topic.subject,
                "forum": topic.forum.name,
                "url": window.url(topic),
                "count": 0,
            }
            group(window.forum_domain.get(topic.forum_id))["discussions"].append(
                discussions[topic.pk]
            )
        discussions[topic.pk]["count"] += 1
    # Named domains first (alphabetically), then what belongs to none.
    return [groups[k] for k in sorted(groups, key=lambda k: (k is None, groups[k]["domain"] or ""))]


def build(period, now=None):
    """[(user, groups)] of the digests due for ``period`` now, without writing anything."""
    from outbox.models import RefusedAddress

    now = now or timezone.now()
    key = period_key(period, now)
    followed = _who_follows_what(period)
    if not followed:
        return []
    done = set(
        DigestRun.objects.filter(period=period, key=key, user_id__in=list(followed)).values_list(
            "user_id", flat=True
        )
    )
    pending = [i for i in followed if i not in done]
    users = list(
        get_user_model().objects.filter(pk__in=pending, is_active=True).exclude(email="")
        .order_by("pk")
    )  # fmt: skip
    stopped = {
        e.lower()
        for e in RefusedAddress.objects.filter(
            email__in=[u.email.lower() for u in users], refusals__gte=RefusedAddress.STOP_AFTER
        ).values_list("email", flat=True)
    }
    users = [u for u in users if u.email.lower() not in stopped]
    if not users:
        return []
    window = _Window(now - WINDOWS[period], now)
    readable = _readable_forums(users)
    digests = []
    for user in users:
        groups = _groups_for(user, followed[user.pk], window, readable)
        if groups:
            digests.append((user, groups))
    return digests


def subject_for(period, now):
    day = timezone.localdate(now).strftime("%d/%m/%Y")
    if period == Rhythm.DAILY:
        return _("[Passerelle] Résumé quotidien de vos abonnements du %(day)s") % {"day": day}
    return _("[Passerelle] Résumé hebdomadaire de vos abonnements au %(day)s") % {"day": day}


def render(user, period, groups, now):
    token = tokens.make(user, "digest", str(period))
    stop = tokens.stop_url(token)
    context = {
        "user": user,
        "period": period,
        "daily": period == Rhythm.DAILY,
        "groups": groups,
        "page_url": tokens.base_url() + reverse("subscriptions:page"),
        "unsubscribe_url": stop,
    }
    text = render_to_string("subscriptions/emails/digest.txt", context)
    html = render_to_string("subscriptions/emails/digest.html", context)
    headers = {
        **tokens.headers(token, stop),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    return subject_for(period, now), text, html, headers


def count_items(groups):
    return sum(
        len(g["updates"]) + len(g["notices"]) + len(g["topics"]) + len(g["discussions"])
        for g in groups
    )


def send(period, now=None):
    """Queue the digests due for ``period``; return how many were queued this time."""
    from outbox.delivery import enqueue_many
    from outbox.models import Message

    now = now or timezone.now()
    key = period_key(period, now)
    digests = build(period, now)
    if not digests:
        return 0
    messages, by_key = [], {}
    for user, groups in digests:
        subject, text, html, headers = render(user, period, groups, now)
        dedup = f"digest:{period}:{key}:{user.pk}"
        by_key[dedup] = (user, count_items(groups))
        messages.append(
            Message(
                to=user.email,
                subject=subject[:255],
                body_text=text,
                body_html=html,
                headers=headers,
                dedup_key=dedup,
            )
        )
    created = enqueue_many(messages)
    DigestRun.objects.bulk_create(
        [
            DigestRun(
                user=by_key[dedup][0], period=period, key=key, items=by_key[dedup][1], message_id=pk
            )
            for pk, dedup in created
        ],
        ignore_conflicts=True,
    )
    return len(created)
