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

        return _continue_elsewhere(request, LogoutInitView.as_view()(request))
    if method == "proconnect":
        return _continue_elsewhere(request, proconnect.LogoutView.as_view()(request))
    return None


def _continue_elsewhere(request, response):
    """The sign-out form posts here, and the Content-Security-Policy (``form-action 'self'``)
    forbids a form's redirect to another origin: the identity provider's logout page is reached
    from a page of ours instead (refreshed at once, with a link when refreshing is off). The
    Passerelle session is already closed at that point."""
    from urllib.parse import urlsplit

    from django.shortcuts import render

    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    target = urlsplit(location)
    if not target.netloc or target.netloc == request.get_host():
        return response
    return render(request, "accounts/sso_logout_continue.html", {"next_url": location})
