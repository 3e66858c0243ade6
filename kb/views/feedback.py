from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kb.feedback import FeedbackForm, allow_feedback, record_feedback


def _render_page(request, page, form, status):
    context = page.get_context(request)
    context["feedback_form"] = form
    context["feedback_with_token"] = True
    return TemplateResponse(request, page.get_template(request), context, status=status)


def _csrf_passed(request):
    """Django's own CSRF check (token and origin), run here rather than by the middleware.

    The route is exempted from the middleware in kb/urls.py so that a post without a token (the
    cached page carries none when JavaScript is off) gets the confirmation step, not a 403."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None


@require_POST
def page_feedback(request, page):
    """Record a "Oui / Non" answer; anonymous, CSRF-protected, rate-limited per client."""
    form = FeedbackForm(request.POST)
    if not _csrf_passed(request):
        # Nothing is recorded: the person confirms on a page that carries a token, with what
        # they typed kept (and any error shown beside its field).
        status = 200 if form.is_valid() else 400
        context = {"page": page, "feedback_form": form, "feedback_with_token": True}
        return TemplateResponse(request, "kb/feedback_confirm.html", context, status=status)
    if not form.is_valid():
        return _render_page(request, page, form, status=400)
    if not allow_feedback(request):
        form.add_error(
            None,
            _(
                "Vous avez envoyé beaucoup d'avis en peu de temps. Votre commentaire n'a pas "
                "été perdu : il est toujours ci-dessous, réessayez dans quelques minutes."
            ),
        )
        return _render_page(request, page, form, status=429)
    record_feedback(page, form.cleaned_data["useful"], form.cleaned_data["comment"])
    # The thanks is in the URL, not in a "messages" cookie: the page stays cookie-free and
    # cacheable (one cached copy with the thanks, one without).
    return redirect(page.url + "?avis=merci#avis")
