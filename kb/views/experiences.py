from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import role_of
from kb import experiences
from kb.forms import ExperienceForm
from kb.models import ExperienceSubmission


def _establishment_of(user):
    profile = getattr(user, "profile", None)
    return getattr(profile, "establishment", None)


@login_required
def share(request):
    """/guides/partager/: a signed-in member of an establishment submits an experience."""
    if role_of(request.user) is None:
        raise PermissionDenied(
            _("Seuls les personnels des établissements peuvent partager un retour d'expérience.")
        )
    form = ExperienceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        submission = form.save(commit=False)
        submission.submitter = request.user
        submission.establishment = _establishment_of(request.user)
        experiences.submit(submission)
        messages.success(
            request,
            _(
                "Merci ! Votre retour d'expérience est transmis aux chargés du domaine. "
                "Suivez son examen ci-dessous."
            ),
        )
        return redirect("kb:contributions")
    return render(request, "kb/experience_form.html", {"form": form, "editing": None})


@login_required
def edit(request, pk):
    """The submitter edits a submission the officer sent back with a request for changes."""
    submission = get_object_or_404(ExperienceSubmission, pk=pk, submitter=request.user)
    if not submission.editable_by_submitter:
        messages.error(
            request,
            _("Ce retour d'expérience n'est plus modifiable : son statut est « %(status)s ».")
            % {"status": submission.get_status_display()},
        )
        return redirect("kb:contributions")
    form = ExperienceForm(request.POST or None, request.FILES or None, instance=submission)
    if request.method == "POST" and form.is_valid():
        experiences.submit(form.save(commit=False))
        messages.success(request, _("Vos modifications sont transmises aux chargés du domaine."))
        return redirect("kb:contributions")
    return render(request, "kb/experience_form.html", {"form": form, "editing": submission})


@login_required
def contributions(request):
    """/compte/contributions/: the status of each of the user's submissions."""
    submissions = ExperienceSubmission.objects.filter(submitter=request.user).select_related(
        "domain", "page"
    )
    return render(request, "kb/contributions.html", {"submissions": submissions})
