from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kb.feedback import FeedbackForm, allow_feedback, record_feedback


def _render_page(request, page, form, status):
    context = page.get_context(request)
    context["feedback_form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)


@require_POST
def page_feedback(request, page):
    """Record a "Oui / Non" answer; anonymous, CSRF-protected, rate-limited per client."""
    form = FeedbackForm(request.POST)
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
    messages.success(request, _("Merci, votre avis a bien été transmis à l'équipe éditoriale."))
    return redirect(page.url + "#avis")
