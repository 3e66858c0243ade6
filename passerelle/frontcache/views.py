"""The CSRF token, fetched by a form when the person starts to write (static/js/forms.js)."""

from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def csrf_token(request):
    # get_token() sets the csrftoken cookie on this response only: pages stay cookie-free.
    return JsonResponse({"token": get_token(request)})
