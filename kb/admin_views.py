"""Wagtail admin screens of the knowledge base: the experiences queue and readers' feedback."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kb import experiences
from kb.experiences import is_editor
from kb.forms import ReviewForm
from kb.freshness import Responsibility, knowledge_pages
from kb.models import ExperienceSubmission, PageFeedback


def experience_queue(request):
    submissions = experiences.reviewable_submissions(request.user)
    status = request.GET.get("statut", "open")
    if status == "open":
        submissions = submissions.filter(
            status__in=[
                ExperienceSubmission.Status.SUBMITTED,
                ExperienceSubmission.Status.CHANGES_REQUESTED,
            ]
        )
    return TemplateResponse(
        request,
        "kb/admin/experience_queue.html",
        {"submissions": submissions, "status": status, "page_title": _("Retours d'expérience")},
    )


def experience_detail(request, pk):
    submission = get_object_or_404(ExperienceSubmission, pk=pk)
    if not experiences.can_review(request.user, submission):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not submission.is_open:
            messages.error(request, _("Ce retour d'expérience a déjà été traité."))
            return redirect("kb_experience_detail", pk=pk)
        if form.is_valid():
            action, message = form.cleaned_data["action"], form.cleaned_data["message"].strip()
            if action == "accept":
                page = experiences.accept(submission, request.user)
                messages.success(
                    request,
                    _("Brouillon « %(title)s » créé : relisez-le puis soumettez-le à publication.")
                    % {"title": page.title},
                )
                return redirect("wagtailadmin_pages:edit", page.pk)
            if action == "changes":
                experiences.request_changes(submission, request.user, message)
                messages.success(request, _("Demande de modifications envoyée à l'auteur."))
            else:
                experiences.decline(submission, request.user, message)
                messages.success(request, _("Retour d'expérience refusé ; l'auteur est prévenu."))
            return redirect("kb_experience_queue")
    return TemplateResponse(
        request,
        "kb/admin/experience_detail.html",
        {"submission": submission, "form": form, "page_title": submission.title},
    )


def _visible_page_ids(user):
    pages = knowledge_pages()
    if is_editor(user):
        return {page.pk: page for page in pages}
    responsibility = Responsibility()
    return {
        page.pk: page
        for page in pages
        if any(person.pk == user.pk for person in responsibility.people_for(page))
    }


def feedback_report(request):
    """Per-page aggregates of "Oui / Non", and the comments, for editors and the page owners."""
    pages = _visible_page_ids(request.user)
    rows = (
        PageFeedback.objects.filter(page_id__in=list(pages))
        .values("page_id")
        .annotate(
            yes=Count("pk", filter=Q(useful=True)),
            no=Count("pk", filter=Q(useful=False)),
            to_review=Count("pk", filter=Q(useful=False, handled_at=None) & ~Q(comment="")),
        )
        .order_by("-no")
    )
    aggregates = [{**row, "page": pages[row["page_id"]]} for row in rows]
    comments = (
        PageFeedback.objects.filter(page_id__in=list(pages))
        .exclude(comment="")
        .order_by("handled_at", "-created_at")[:200]
    )
    comments = [(pages[c.page_id], c) for c in comments]
    return TemplateResponse(
        request,
        "kb/admin/feedback_report.html",
        {"aggregates": aggregates, "comments": comments, "page_title": _("Avis des lecteurs")},
    )


@require_POST
def feedback_handled(request, pk):
    item = get_object_or_404(PageFeedback, pk=pk)
    if item.page_id not in _visible_page_ids(request.user):
        raise PermissionDenied
    item.handled_at = timezone.now()
    item.save(update_fields=["handled_at"])
    messages.success(request, _("Avis marqué comme traité."))
    return redirect("kb_feedback_report")


def review_requests(request):
    """« Demandes de révision »: the pages a notice flagged, why, and the button that says the
    page was verified. Each person sees the pages they answer for; editors see every page."""
    from kb.reviews import requests_for

    open_rows, done = requests_for(request.user)
    return TemplateResponse(
        request,
        "kb/admin/review_requests.html",
        {"open_rows": open_rows, "done": done, "page_title": _("Demandes de révision")},
    )


@require_POST
def review_resolve(request, page_id):
    """The page was verified after its notices: close its open review requests."""
    from wagtail.models import Page

    from kb.history import is_knowledge_page
    from kb.reviews import can_resolve, resolve_page

    page = get_object_or_404(Page, pk=page_id).specific
    if not is_knowledge_page(page):
        raise Http404(_("Seuls les guides et les bonnes pratiques se vérifient."))
    if not can_resolve(request.user, page):
        raise PermissionDenied
    closed = resolve_page(page, request.user)
    if closed:
        messages.success(
            request,
            _("« %(title)s » est vérifiée : le bandeau de révision a disparu de la page.")
            % {"title": page.title},
        )
    else:
        messages.info(request, _("Aucune demande de révision n'était ouverte sur cette page."))
    return redirect("kb_review_requests")
