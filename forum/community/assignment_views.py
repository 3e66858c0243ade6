"""Assigning a topic to an officer of its domain, or marking it as needing no answer.

Both are pages of their own (GET shows the form, POST acts), so that a refused choice comes back
with its message beside the field and the note the moderator typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from machina.core.db.models import get_model

from forum.community import assignment
from forum.community.access import can_moderate, can_read, handler_for
from forum.community.forms import AssignmentForm, NoAnswerForm
from forum.community.notifications import topic_url

Topic = get_model("forum_conversation", "Topic")


def _moderated_topic(request, pk):
    topic = get_object_or_404(Topic.objects.select_related("forum"), pk=pk)
    handler = handler_for(request)
    if not can_read(topic.forum, request.user, handler):
        raise Http404
    if not can_moderate(topic.forum, request.user, handler):
        raise PermissionDenied
    return topic


@login_required
def assign_topic(request, pk):
    topic = _moderated_topic(request, pk)
    officers = assignment.officers_for(topic)
    current = assignment.assignment_of(topic)
    form = AssignmentForm(request.POST or None, officers=officers)
    if request.method == "POST" and form.is_valid():
        officer = form.cleaned_data["officer"]
        try:
            assignment.assign(topic, officer, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error("officer", error)
        else:
            messages.success(
                request,
                _("Sujet attribué à %(name)s.") % {"name": assignment.display_name(officer)},
            )
            return redirect(topic_url(topic))
    return render(
        request,
        "forum_community/assign_topic.html",
        {
            "topic": topic,
            "forum": topic.forum,
            "form": form,
            "current": current,
            "officers": officers,
        },
    )


@login_required
def no_answer_needed(request, pk):
    topic = _moderated_topic(request, pk)
    form = NoAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assignment.mark_no_answer_needed(topic, request.user, note=form.cleaned_data["note"])
        messages.success(request, _("Ce sujet ne figure plus parmi les sujets sans réponse."))
        return redirect(topic_url(topic))
    return render(
        request,
        "forum_community/no_answer_needed.html",
        {"topic": topic, "forum": topic.forum, "form": form},
    )
