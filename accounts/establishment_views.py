"""/etablissements/: the establishments, each one's contributions and listed contacts, and the
form to write to a contact (rules in accounts.establishments)."""

import re

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import establishments
from accounts.establishment_forms import ContactForm, EstablishmentFilterForm
from accounts.models import Establishment

PER_PAGE = 50


def establishment_list(request):
    form = EstablishmentFilterForm(request.GET or None)
    queryset = Establishment.objects.order_by("name")
    if form.is_valid():
        queryset = form.filter(queryset)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/establishments/list.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


UAI_RE = re.compile(r"[0-9]{7}[A-Za-z]")


def _establishment(uai):
    # Anything but a UAI code is not looked up (PostgreSQL refuses a NUL even in a query).
    if not UAI_RE.fullmatch(uai or ""):
        raise Http404
    return get_object_or_404(Establishment, uai=uai.upper())


def establishment_detail(request, uai):
    establishment = _establishment(uai)
    if uai != establishment.uai.lower():
        return redirect(establishment, permanent=True)
    experiences = establishments.experiences_of(establishment)
    context = {
        "establishment": establishment,
        "experiences": experiences,
        "practices": establishments.practices_of(establishment, experiences),
        "answers": establishments.solved_answers_of(establishment, request.user),
        "contacts": establishments.contacts_of(establishment),
    }
    return render(request, "accounts/establishments/detail.html", context)


@login_required
def contact(request, uai, profile_id):
    establishment = _establishment(uai)
    person = establishments.contact_for(establishment, profile_id)
    if person is None:
        return render(
            request,
            "accounts/establishments/contact_gone.html",
            {"establishment": establishment},
            status=404,
        )
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid() and not ratelimit.consume(request, action="establishment_contact"):
            form.add_error(
                None,
                _(
                    "Vous avez envoyé beaucoup de messages en peu de temps : réessayez dans une "
                    "heure. Votre message est conservé ci-dessous."
                ),
            )
            status = 429
        elif form.is_valid():
            establishments.send_contact_message(
                request.user,
                person,
                form.cleaned_data["subject"],
                form.cleaned_data["message"],
                settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
            )
            messages.success(
                request,
                _("Votre message est envoyé à %(name)s.")
                % {"name": establishments.display_name(person.user)},
            )
            return redirect(establishment)
    else:
        form = ContactForm()
    return render(
        request,
        "accounts/establishments/contact.html",
        {"establishment": establishment, "person": person, "form": form},
        status=status,
    )
