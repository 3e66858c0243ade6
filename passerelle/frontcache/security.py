"""Security headers django-csp and Django do not set: Permissions-Policy, and the admin's CSP.

The public site's Content-Security-Policy (settings ``CONTENT_SECURITY_POLICY``) allows scripts
from the site itself only: no inline script, no third party. The Wagtail and Django admins need
inline scripts and styles, so ``/admin/`` and ``/django-admin/`` get
``PASSERELLE_ADMIN_CSP_DIRECTIVES`` instead, still limited to the site's own origin.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


class PasserelleCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(ADMIN_PREFIXES)
        ):
            return PolicyParts(
                settings.PASSERELLE_ADMIN_CSP_DIRECTIVES, parts.update, parts.replace, parts.nonce
            )
        return parts


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PASSERELLE_PERMISSIONS_POLICY)
        return response
