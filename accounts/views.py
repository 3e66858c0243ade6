import logging

from allauth.account import views as allauth_views
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from accounts.forms import AccountRequestForm, ProfileForm
from accounts.models import Profile
from accounts.signup import notify_editors_of_request

logger = logging.getLogger(__name__)


class SignInView(allauth_views.LoginView):
    """/compte/connexion/: allauth's sign-in (rate limits, verification, TOTP step)."""


class SignOutView(allauth_views.LogoutView):
    """GET asks for confirmation (a link cannot sign anyone out); POST signs out."""

    def get(self, *args, **kwargs):
        if not self.request.user.is_authenticated:
            # Say so (with a link to sign in) rather than allauth's silent redirect.
            return self.render_to_response(self.get_context_data())
        return super().get(*args, **kwargs)

    def post(self, *args, **kwargs):
        # Signed in through the federation or ProConnect: sign out there too (accounts/sso.py).
        from accounts.sso import single_logout

        return single_logout(self.request) or super().post(*args, **kwargs)


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """A verification link that expired or was already used gets a French page, not a 404."""

    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except Http404:
            logger.info("Email verification link expired, invalid or already used")
            self.object = None
            return self.render_to_response(self.get_context_data(), status=400)

    def get(self, *args, **kwargs):
        response = super().get(*args, **kwargs)
        if self.object is None:
            logger.info("Email verification link expired, invalid or already used")
            response.status_code = 400
        return response


def request_account(request):
    """/compte/demande/: someone outside the known establishments asks for an account."""
    if request.method == "POST":
        form = AccountRequestForm(request.POST)
        if form.is_valid() and not ratelimit.consume(request, action="account_request"):
            form.add_error(
                None,
                _("Trop de demandes envoyées depuis votre connexion : réessayez dans une heure."),
            )
            return render(request, "accounts/request_account.html", {"form": form}, status=429)
        if form.is_valid():
            account_request = form.save()
            notify_editors_of_request(account_request)
            return render(
                request, "accounts/request_sent.html", {"account_request": account_request}
            )
    else:
        form = AccountRequestForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(request, "accounts/request_account.html", {"form": form})

    def post(self, request, *args, **kwargs):
        # Signed in through the federation or ProConnect: sign out there too (accounts/sso.py).
        from accounts.sso import single_logout

        return single_logout(request) or super().post(request, *args, **kwargs)


@login_required
def profile(request):
    """/compte/profil/: what a person follows (domains and audiences of urgent notices)."""
    account, _created = Profile.objects.select_related("establishment").get_or_create(
        user=request.user
    )
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=account)
        if form.is_valid():
            form.save()
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(instance=account)
    return render(request, "accounts/profile.html", {"form": form, "account": account})
