"""Views of Passerelle's forum additions; thin, the rules live in the modules beside them."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from machina.core.db.models import get_model

from forum.community import assignment, moderation, notifications, promotion, solutions
from forum.community.access import can_moderate, can_read, handler_for, moderated_forum_ids
from forum.community.emails import read_unsubscribe_token
from forum.community.forms import (
    NoteForm,
    ReportForm,
    ResolveForm,
    SubscriptionForm,
)
from forum.community.models import ModerationAction, PostReport, PracticeDiscussion, Subscription

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")

DEFAULT_UNANSWERED_DAYS = 3
LIST_LIMIT = 20


def _visible_post(request, pk):
    post = get_object_or_404(Post.objects.select_related("topic__forum", "poster"), pk=pk)
    if not can_read(post.topic.forum, request.user, handler_for(request)):
        raise Http404
    return post


def _moderated_post(request, pk):
    post = _visible_post(request, pk)
    if not can_moderate(post.topic.forum, request.user, handler_for(request)):
        raise PermissionDenied
    return post


def _topic(request, pk):
    topic = get_object_or_404(Topic.objects.select_related("forum"), pk=pk)
    if not can_read(topic.forum, request.user, handler_for(request)):
        raise Http404
    return topic


def _forum_ids_or_403(request):
    ids = moderated_forum_ids(request.user, handler_for(request))
    if not ids:
        raise PermissionDenied
    return ids


# --- Workbench --------------------------------------------------------------------------------


@login_required
def workbench(request):
    forum_ids = _forum_ids_or_403(request)
    raw_days = request.GET.get("jours", "")
    days = DEFAULT_UNANSWERED_DAYS
    if raw_days:
        if raw_days.isdigit() and 1 <= int(raw_days) <= 365:
            days = int(raw_days)
        else:
            messages.error(
                request,
                _("Le nombre de jours doit être un entier entre 1 et 365 ; %(n)s jours utilisés.")
                % {"n": DEFAULT_UNANSWERED_DAYS},
            )
    now = timezone.now()
    week_ago = now - datetime.timedelta(days=7)
    unanswered = assignment.unanswered_for_workbench(
        forum_ids, request.user, older_than=now - datetime.timedelta(days=days)
    )
    pending = (
        Post.objects.filter(topic__forum_id__in=forum_ids, approved=False, hidden__isnull=True)
        .select_related("topic__forum", "poster")
        .order_by("created")
    )
    reports = (
        PostReport.objects.filter(
            status=PostReport.Status.OPEN, post__topic__forum_id__in=forum_ids
        )
        .select_related("post__topic__forum", "post__poster", "reporter")
        .order_by("created_at")
    )
    activity = {
        "topics": Topic.objects.filter(
            forum_id__in=forum_ids, approved=True, created__gte=week_ago
        ).count(),
        "posts": Post.objects.filter(
            topic__forum_id__in=forum_ids, approved=True, created__gte=week_ago
        ).count(),
        "reports": PostReport.objects.filter(
            post__topic__forum_id__in=forum_ids, created_at__gte=week_ago
        ).count(),
        "actions": ModerationAction.objects.filter(
            forum_id__in=forum_ids, created_at__gte=week_ago
        ).count(),
    }
    log_entries = (
        ModerationAction.objects.filter(forum_id__in=forum_ids)
        .select_related("actor", "forum")
        .order_by("-created_at", "-id")[:10]
    )
    return render(
        request,
        "forum_community/workbench.html",
        {
            "days": days,
            "unanswered": list(unanswered[:LIST_LIMIT]),
            "now": now,
            "unanswered_count": unanswered.count(),
            "pending": list(pending[:LIST_LIMIT]),
            "pending_count": pending.count(),
            "reports": list(reports[:LIST_LIMIT]),
            "reports_count": reports.count(),
            "activity": activity,
            "log_entries": list(log_entries),
            "forums": Forum.objects.filter(id__in=forum_ids).order_by("tree_id", "lft"),
        },
    )


@login_required
def moderation_log(request):
    forum_ids = _forum_ids_or_403(request)
    entries = (
        ModerationAction.objects.filter(forum_id__in=forum_ids)
        .select_related("actor", "forum", "topic")
        .order_by("-created_at", "-id")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "forum_community/moderation_log.html", {"page_obj": page})


@login_required
def report_detail(request, pk):
    report = get_object_or_404(
        PostReport.objects.select_related(
            "post__topic__forum", "post__poster", "reporter", "forum"
        ),
        pk=pk,
    )
    post = report.post
    forum = post.topic.forum if post is not None else report.forum
    if forum is None or not can_moderate(forum, request.user, handler_for(request)):
        raise Http404
    form = ResolveForm(request.POST or None)
    is_open = post is not None and report.status == PostReport.Status.OPEN
    if request.method == "POST" and is_open and form.is_valid():
        action = form.cleaned_data["action"]
        topic = post.topic
        moderation.resolve_report(report, request.user, action, form.cleaned_data["note"])
        messages.success(request, _("Le signalement est traité et l'action est consignée."))
        if action == "edited":
            return redirect(edit_url(post, topic, forum))
        return redirect("forum_community:workbench")
    others = PostReport.objects.filter(post=post).exclude(pk=report.pk) if post else []
    return render(
        request,
        "forum_community/report_detail.html",
        {
            "report": report,
            "post": post,
            "topic": post.topic if post else None,
            "forum": forum,
            "form": form,
            "others": others,
            "topic_url": notifications.post_url(post) if post else "",
        },
        status=400 if request.method == "POST" else 200,
    )


def edit_url(post, topic, forum):
    if post.pk == topic.first_post_id:
        return reverse(
            "forum_conversation:topic_update",
            kwargs={
                "forum_slug": forum.slug,
                "forum_pk": forum.pk,
                "slug": topic.slug,
                "pk": topic.pk,
            },
        )
    return reverse(
        "forum_conversation:post_update",
        kwargs={
            "forum_slug": forum.slug,
            "forum_pk": forum.pk,
            "topic_slug": topic.slug,
            "topic_pk": topic.pk,
            "pk": post.pk,
        },
    )


# --- Reports, hide / show ---------------------------------------------------------------------


@login_required
def report_post(request, pk):
    post = _visible_post(request, pk)
    if not post.approved:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _report, created = moderation.report_post(
            post, request.user, form.cleaned_data["reason"], form.cleaned_data["comment"]
        )
        if created:
            messages.success(request, _("Merci : les modérateurs du forum sont prévenus."))
        else:
            messages.info(
                request, _("Vous avez déjà signalé ce message ; il est en cours d'examen.")
            )
        return redirect(notifications.post_url(post))
    return render(
        request,
        "forum_community/report_form.html",
        {"post": post, "topic": post.topic, "forum": post.topic.forum, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def hide_post(request, pk):
    post = _moderated_post(request, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    moderation.hide_post(post, request.user, note)
    messages.success(request, _("Le message est masqué ; l'action est consignée."))
    if Topic.objects.filter(pk=post.topic_id, approved=True).exists():
        return redirect(notifications.topic_url(post.topic))
    return redirect(
        reverse("forum:forum", kwargs={"slug": post.topic.forum.slug, "pk": post.topic.forum_id})
    )


@login_required
@require_POST
def show_post(request, pk):
    post = _moderated_post(request, pk)
    form = NoteForm(request.POST)
    moderation.show_post(post, request.user, form.cleaned_data["note"] if form.is_valid() else "")
    messages.success(request, _("Le message est de nouveau visible."))
    return redirect(notifications.post_url(post))


# --- Solutions --------------------------------------------------------------------------------


@login_required
@require_POST
def mark_solution(request, pk, post_pk):
    topic = _topic(request, pk)
    if not solutions.can_mark_solution(topic, request.user, handler_for(request)):
        raise PermissionDenied
    post = get_object_or_404(Post, pk=post_pk, topic=topic, approved=True)
    try:
        solutions.mark_solution(topic, post, request.user)
    except ValueError:
        messages.error(request, _("La question elle-même ne peut pas être la solution."))
    else:
        messages.success(request, _("Cette réponse est désormais la solution du sujet."))
    return redirect(notifications.topic_url(topic))


@login_required
@require_POST
def unmark_solution(request, pk):
    topic = _topic(request, pk)
    if not solutions.can_mark_solution(topic, request.user, handler_for(request)):
        raise PermissionDenied
    solutions.unmark_solution(topic, request.user)
    messages.success(request, _("Le sujet n'a plus de solution retenue."))
    return redirect(notifications.topic_url(topic))


# --- Subscriptions ----------------------------------------------------------------------------


def _apply_subscription(request, *, topic=None, forum=None):
    if request.POST.get("action") == "unsubscribe":
        notifications.unsubscribe(request.user, topic=topic, forum=forum)
        messages.success(request, _("Vous n'êtes plus abonné."))
        return
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une fréquence de courriels valide."))
        return
    notifications.subscribe(
        request.user, topic=topic, forum=forum, frequency=form.cleaned_data["frequency"]
    )
    messages.success(request, _("Votre abonnement est enregistré."))


@login_required
@require_POST
def topic_subscription(request, pk):
    topic = _topic(request, pk)
    _apply_subscription(request, topic=topic)
    return redirect(request.POST.get("next") or notifications.topic_url(topic))


@login_required
@require_POST
def forum_subscription(request, pk):
    forum = get_object_or_404(Forum, pk=pk, type=Forum.FORUM_POST)
    if not can_read(forum, request.user, handler_for(request)):
        raise Http404
    _apply_subscription(request, forum=forum)
    return redirect(reverse("forum:forum", kwargs={"slug": forum.slug, "pk": forum.pk}))


def subscriptions(request):
    """The forum's old page: everything a person follows is now on « Mes abonnements »."""
    return redirect("subscriptions:page", permanent=True)


@csrf_exempt  # the signed token is the credential; mail clients POST it (RFC 8058)
def unsubscribe(request, token):
    """One-click unsubscribe, without signing in: GET asks, POST does (link scanners only GET)."""
    try:
        data = read_unsubscribe_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "forum_community/unsubscribe.html", {"invalid": True}, status=400)
    if data["d"]:
        subscriptions = Subscription.objects.filter(
            user_id=data["u"], frequency=Subscription.Frequency.DAILY
        )
        subscription = None
    else:
        subscriptions = Subscription.objects.filter(pk=data["s"], user_id=data["u"])
        subscription = subscriptions.select_related("topic", "forum").first()
    if request.method == "POST":
        if data["d"]:
            subscriptions.update(frequency=Subscription.Frequency.NONE)
        else:
            subscriptions.delete()
        return render(request, "forum_community/unsubscribe.html", {"done": True})
    return render(
        request,
        "forum_community/unsubscribe.html",
        {
            "subscription": subscription,
            "digest": data["d"],
            "gone": not data["d"] and subscription is None,
        },
    )


# --- Discussion <-> guide ---------------------------------------------------------------------


@login_required
@require_POST
def promote_topic(request, pk):
    topic = _topic(request, pk)
    if not can_moderate(topic.forum, request.user, handler_for(request)):
        raise PermissionDenied
    try:
        link, created = promotion.promote_topic(topic, request.user)
    except ValueError:
        messages.error(request, _("Ce sujet ne peut pas devenir une bonne pratique (aucun guide)."))
        return redirect(notifications.topic_url(topic))
    if created:
        messages.success(
            request,
            _("Brouillon de bonne pratique créé : « %(title)s ». Relisez-le avant publication.")
            % {"title": link.page.title},
        )
    else:
        messages.info(request, _("Ce sujet est déjà lié à une bonne pratique."))
    return redirect(reverse("wagtailadmin_pages:edit", args=[link.page_id]))


@login_required
@require_POST
def discuss_practice(request, page_pk):
    from kb.models import PracticePage

    page = get_object_or_404(PracticePage.objects.live().public(), pk=page_pk)
    link = PracticeDiscussion.objects.filter(page=page).select_related("topic__forum").first()
    if link is not None:
        return redirect(notifications.topic_url(link.topic))
    forum = promotion.discussion_forum_for(page)
    handler = handler_for(request)
    if forum is None or not handler.can_add_topic(forum, request.user):
        messages.error(request, _("Aucun forum ne peut accueillir cette discussion pour vous."))
        return redirect(page.url)
    topic = Topic.objects.create(
        forum=forum,
        poster=request.user,
        subject=page.title[:255],
        type=Topic.TOPIC_POST,
        status=Topic.TOPIC_UNLOCKED,
        approved=True,
    )
    post = Post.objects.create(
        topic=topic,
        poster=request.user,
        subject=page.title[:255],
        content=_("Discussion de la bonne pratique [%(title)s](%(url)s).")
        % {"title": page.title, "url": page.url},
        approved=True,
    )
    PracticeDiscussion.objects.create(page=page, topic=topic, created_by=request.user)
    notifications.auto_subscribe(request.user, topic)
    notifications.post_published(post)
    return redirect(notifications.topic_url(topic))
