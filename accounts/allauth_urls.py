"""allauth under /compte/, its main pages at the site's French addresses.

The patterns after the include carry allauth's own names, so that every redirect allauth makes
(after a verification, a reset, a TOTP step) lands on /compte/connexion/, not /compte/login/.
allauth's English addresses still answer (/compte/login/ is the same page).
"""

from allauth.account import views as allauth_views
from django.urls import include, path

from accounts import views
from accounts.mfa import ActivateTOTPView

urlpatterns = [
    # Same address as allauth's, before it so that it answers: a French page for a dead link.
    path(
        "confirm-email/<str:key>/", views.ConfirmEmailView.as_view(), name="account_confirm_email"
    ),
    path("2fa/totp/activate/", ActivateTOTPView.as_view(), name="mfa_activate_totp"),
    path("", include("allauth.urls")),
    # After allauth's: with two patterns of one name, reverse() gives the last one.
    path("connexion/", views.SignInView.as_view(), name="account_login"),
    path("deconnexion/", views.SignOutView.as_view(), name="account_logout"),
    path("inscription/", allauth_views.signup, name="account_signup"),
]
