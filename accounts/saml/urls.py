"""/compte/federation/…: discovery, login, ACS, single logout, SP metadata (stable URL)."""

from django.urls import path
from djangosaml2 import views as saml_views

from accounts.saml import views

urlpatterns = [
    path("", views.discovery, name="federation_discovery"),
    path("login/", views.LoginView.as_view(), name="saml2_login"),
    path("acs/", views.AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("logout/", views.LogoutInitView.as_view(), name="saml2_logout"),
    path("ls/", views.LogoutView.as_view(), name="saml2_ls"),
    path("ls/post/", views.LogoutView.as_view(), name="saml2_ls_post"),
    path("metadata/", saml_views.MetadataView.as_view(), name="saml2_metadata"),
]
