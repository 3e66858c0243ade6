"""Single sign-on URLs (mounted under /compte/ by config/urls.py) and single logout."""

from django.urls import include, path

from accounts import proconnect

urlpatterns = [
    path("federation/", include("accounts.saml.urls")),
    path("proconnect/", include(proconnect.urlpatterns)),
]


def single_logout(request):
    """The response that signs out of Passerelle and of the identity provider the person came
    through, or None for a local session (the sign-out view then signs out as usual)."""
    method = request.session.get("passerelle_sso")
    if method == "saml":
        from accounts.saml.views import LogoutInitView

        return LogoutInitView.as_view()(request)
    if method == "proconnect":
        return proconnect.LogoutView.as_view()(request)
    return None
