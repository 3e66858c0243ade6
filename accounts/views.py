from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts.forms import ProfileForm
from accounts.models import Profile


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Identifiant ou mot de passe incorrect. Les deux champs tiennent compte des "
            "majuscules et minuscules."
        ),
        "inactive": _("Ce compte est désactivé."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Identifiant")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].label = _("Mot de passe")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """GET asks for confirmation (a link cannot sign anyone out); POST signs out."""

    http_method_names = ["get", "post", "options"]
    template_name = "accounts/logout.html"

    def get(self, request, *args, **kwargs):
        return TemplateView.as_view(template_name="accounts/logout_confirm.html")(request)

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
