"""The federation's views are imported on their first request, not by every worker at start."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import URLResolver, get_resolver

from accounts.saml import urls as saml_urls

ROOT = Path(__file__).resolve().parents[2]


def test_each_lazy_view_declares_the_csrf_exemption_of_the_real_view():
    # The identity provider posts to the ACS and logout URLs without our CSRF token: a lazy view
    # that forgot the exemption would refuse every sign-in with a 403.
    assert saml_urls.urlpatterns
    exempt = {}
    for pattern in saml_urls.urlpatterns:
        view = pattern.callback
        real = view.real_view()
        assert getattr(view, "csrf_exempt", False) == getattr(real, "csrf_exempt", False), (
            pattern.name
        )
        exempt[pattern.name] = view.csrf_exempt
    assert exempt["saml2_acs"] and exempt["saml2_ls_post"]
    assert not exempt["saml2_login"] and not exempt["federation_discovery"]


def test_the_federation_urls_still_resolve_to_the_lazy_views():
    resolver = get_resolver()
    names = {name for name in resolver.reverse_dict if isinstance(name, str)}
    assert {"saml2_acs", "saml2_login", "saml2_metadata", "federation_discovery"} <= names
    assert not any(isinstance(p, URLResolver) for p in saml_urls.urlpatterns)


def test_loading_the_urlconf_does_not_import_pysaml2():
    # Every worker loads the whole URLconf on its first request, whatever the page.
    code = (
        "import sys, django; django.setup()\n"
        "from django.urls import resolve\n"
        "resolve('/compte/connexion/')\n"
        "print('saml2.xml.schema' in sys.modules)\n"
        "resolve('/compte/federation/metadata/').func.real_view()\n"
        "print('saml2.xml.schema' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True"], result.stdout
