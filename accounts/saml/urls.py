"""/compte/federation/…: discovery, login, ACS, single logout, SP metadata (stable URL).

The views are imported on their first request, not with the URLconf: pysaml2 compiles its XML
schemas when its modules are imported (about 2 s of CPU and 25 MB in every app server worker,
paid on the worker's first request whatever the page), which a worker that never serves the
federation need not pay. ``tests/sso/test_lazy_views.py`` checks that the lazy views declare the
same CSRF exemption as the real ones.
"""

from functools import cache
from importlib import import_module

from django.urls import path


def lazy_view(dotted, csrf_exempt=False):
    """A view that imports ``module.attribute`` (a function or a class-based view) when first
    called. ``csrf_exempt`` must be declared here: the CSRF middleware reads it before the view
    runs, so before the real view is imported."""
    module_name, attribute = dotted.rsplit(".", 1)

    @cache
    def real_view():
        target = getattr(import_module(module_name), attribute)
        return target.as_view() if isinstance(target, type) else target

    def view(request, *args, **kwargs):
        return real_view()(request, *args, **kwargs)

    view.csrf_exempt = csrf_exempt
    view.real_view = real_view
    view.__name__ = view.__qualname__ = attribute
    return view


VIEWS = "accounts.saml.views"

urlpatterns = [
    path("", lazy_view(f"{VIEWS}.discovery"), name="federation_discovery"),
    path("login/", lazy_view(f"{VIEWS}.LoginView"), name="saml2_login"),
    path(
        "acs/",
        lazy_view(f"{VIEWS}.AssertionConsumerServiceView", csrf_exempt=True),
        name="saml2_acs",
    ),
    path("logout/", lazy_view(f"{VIEWS}.LogoutInitView"), name="saml2_logout"),
    path("ls/", lazy_view(f"{VIEWS}.LogoutView", csrf_exempt=True), name="saml2_ls"),
    path("ls/post/", lazy_view(f"{VIEWS}.LogoutView", csrf_exempt=True), name="saml2_ls_post"),
    path("metadata/", lazy_view("djangosaml2.views.MetadataView"), name="saml2_metadata"),
]
