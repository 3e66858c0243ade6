"""The triage queue in the Wagtail admin: entries read from the feeds, waiting for an editor."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from notices import triage
from notices.models import FeedEntry, Source

PER_PAGE = 50

CHANGED_NOT_SEEN = (
    Q(changed_at_source_at__isnull=False)
    & (Q(changes_seen_at__isnull=True) | Q(changes_seen_at__lt=F("changed_at_source_at")))
    & ~Q(status=FeedEntry.Status.DISMISSED)
)
TABS = [
    ("a-trier", gettext_lazy("À trier"), Q(status=FeedEntry.Status.PENDING)),
    ("mises-a-jour", gettext_lazy("Mises à jour à la source"), CHANGED_NOT_SEEN),
    ("acceptees", gettext_lazy("Acceptées"), Q(status=FeedEntry.Status.ACCEPTED)),
    ("ecartees", gettext_lazy("Écartées"), Q(status=FeedEntry.Status.DISMISSED)),
]


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Indiquez pourquoi cette entrée est écartée.")},
        help_text=gettext_lazy("Par exemple : hors du champ de l'enseignement supérieur, doublon."),
    )


def _require_triage(request):
    if not triage.can_triage(request.user):
        raise PermissionDenied


def queue(request):
    _require_triage(request)
    tab = request.GET.get("vue", "a-trier")
    tabs = {slug: (label, condition) for slug, label, condition in TABS}
    if tab not in tabs:
        tab = "a-trier"
    entries = (
        FeedEntry.objects.filter(tabs[tab][1])
        .select_related("source", "notice", "decided_by")
        .order_by("-published_at", "-first_seen_at", "-pk")
    )
    sources = list(
        Source.objects.filter(Q(entries__isnull=False) | Q(feeds__isnull=False))
        .distinct()
        .order_by("acronym")
    )
    source_slug = request.GET.get("source", "")
    if source_slug:
        entries = entries.filter(source__slug=source_slug)
    page_obj = Paginator(entries, PER_PAGE).get_page(request.GET.get("p"))
    counts = {slug: FeedEntry.objects.filter(condition).count() for slug, _l, condition in TABS}
    return TemplateResponse(
        request,
        "notices/admin/triage_queue.html",
        {
            "page_obj": page_obj,
            "tabs": [(slug, label, counts[slug]) for slug, label, _c in TABS],
            "current_tab": tab,
            "sources": sources,
            "current_source": source_slug,
            "dismiss_form": DismissForm(),
        },
    )


def _back(request):
    target = request.POST.get("next", "")
    if target.startswith(reverse("notices_triage:queue")):
        return redirect(target)
    return redirect("notices_triage:queue")


@require_POST
def accept(request, pk):
    _require_triage(request)
    get_object_or_404(FeedEntry, pk=pk)
    try:
        page = triage.accept(pk, request.user)
    except triage.TriageError as exc:
        messages.error(request, str(exc))
        return _back(request)
    messages.success(
        request,
        _("Brouillon créé à partir de « %(title)s ». Relisez-le, complétez l'impact, puis publiez.")
        % {"title": page.title},
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


def dismiss(request, pk):
    _require_triage(request)
    entry = get_object_or_404(FeedEntry.objects.select_related("source"), pk=pk)
    form = DismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            triage.dismiss(pk, request.user, form.cleaned_data["reason"])
        except triage.TriageError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Entrée écartée : « %(title)s ».") % {"title": entry.title})
        return _back(request)
    return TemplateResponse(
        request,
        "notices/admin/triage_dismiss.html",
        {"entry": entry, "form": form, "next": request.POST.get("next") or request.GET.get("next")},
    )


@require_POST
def restore(request, pk):
    _require_triage(request)
    get_object_or_404(FeedEntry, pk=pk)
    try:
        entry = triage.restore(pk, request.user)
    except triage.TriageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("« %(title)s » est de nouveau à trier.") % {"title": entry.title}
        )
    return _back(request)


@require_POST
def fetch_source(request, pk):
    """Read one source's feeds now, e.g. right after adding it, instead of waiting for the timer.
    The fetch runs as a background task (``ops.tasks.fetch_source_feeds``); when it has already
    finished (immediate backend), its outcome is shown."""
    from django_tasks.base import TaskResultStatus

    from ops.tasks import fetch_source_feeds

    _require_triage(request)
    source = get_object_or_404(Source, pk=pk)
    task_result = fetch_source_feeds.enqueue(source.pk)
    done = task_result.status == TaskResultStatus.SUCCESSFUL
    if task_result.status == TaskResultStatus.FAILED:
        messages.error(request, _("Le relevé a échoué ; réessayez plus tard."))
    elif not done:
        messages.info(
            request,
            _("Relevé de « %(source)s » demandé : ses entrées arriveront dans la file d'ici peu.")
            % {"source": source},
        )
    for result in task_result.return_value if done else []:
        if result["busy"]:
            messages.info(
                request,
                _("%(url)s : un relevé est déjà en cours ; ses entrées arriveront dans la file.")
                % {"url": result["url"]},
            )
        elif not result["ok"]:
            messages.error(
                request,
                _("%(url)s : %(error)s") % {"url": result["url"], "error": result["error"]},
            )
        elif result["not_modified"]:
            messages.info(request, _("%(url)s : inchangé.") % {"url": result["url"]})
        else:
            messages.success(
                request,
                _("%(url)s : %(new)s nouvelle(s) entrée(s), %(updated)s mise(s) à jour.")
                % {"url": result["url"], "new": result["created"], "updated": result["updated"]},
            )
    return redirect(f"{reverse('notices_triage:queue')}?source={source.slug}")


@require_POST
def acknowledge(request, pk):
    _require_triage(request)
    entry = get_object_or_404(FeedEntry, pk=pk)
    triage.acknowledge_changes(pk, request.user)
    messages.success(
        request, _("Mise à jour de « %(title)s » prise en compte.") % {"title": entry.title}
    )
    return _back(request)
