"""Wagtail admin screens for account requests: the queue, and one request with its decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts.forms import ReviewRequestForm
from accounts.models import AccountRequest
from accounts.signup import approve_request, establishment_for_email, refuse_request

PERMISSION = "accounts.change_accountrequest"


def _check(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def index(request):
    _check(request)
    show = request.GET.get("etat", "pending")
    queryset = AccountRequest.objects.select_related("decided_by")
    if show in AccountRequest.Status.values:
        queryset = queryset.filter(status=show)
    return TemplateResponse(
        request,
        "accounts/admin/requests_index.html",
        {
            "requests": queryset[:200],
            "show": show,
            "statuses": AccountRequest.Status.choices,
            "header_title": _("Demandes de compte"),
        },
    )


def review(request, pk):
    _check(request)
    account_request = get_object_or_404(AccountRequest, pk=pk)
    pending = account_request.status == AccountRequest.Status.PENDING
    if request.method == "POST" and pending:
        form = ReviewRequestForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["decision"] == "approve":
                user = approve_request(
                    account_request, request.user, form.cleaned_data["establishment"]
                )
                messages.success(
                    request,
                    _(
                        "Compte « %(username)s » créé ; le lien pour choisir le mot de passe "
                        "est envoyé."
                    )
                    % {"username": user.username if user else "?"},
                )
            else:
                refuse_request(account_request, request.user, form.cleaned_data["note"].strip())
                messages.success(request, _("Demande refusée ; l'explication est envoyée."))
            return redirect("accounts_requests:index")
    else:
        form = ReviewRequestForm(
            initial={"establishment": establishment_for_email(account_request.email)}
        )
    return TemplateResponse(
        request,
        "accounts/admin/request_review.html",
        {
            "account_request": account_request,
            "form": form,
            "pending": pending,
            "header_title": _("Demande de compte"),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", review, name="review"),
]
