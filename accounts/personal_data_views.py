"""Views of a person's own personal data: the readable export, the JSON file, the deletion.

Each acts on ``request.user`` only: there is no id in these URLs, so nobody can reach another
person's data through them. Anonymous visitors are sent to the sign-in page.
"""

import datetime
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.personal_data import erasure, export
from accounts.personal_data.page import durations

CONFIRMATION_WORD = "SUPPRIMER"
REAUTH_WINDOW = datetime.timedelta(minutes=15)
PASSWORD_ATTEMPTS = 5
PASSWORD_ATTEMPTS_WINDOW = 15 * 60


class DeleteAccountForm(forms.Form):
    posts = forms.ChoiceField(
        label=_("Vos messages du forum"),
        choices=[
            (
                erasure.KEEP_POSTS,
                _("Les conserver sous le nom « Ancien membre » (les discussions restent lisibles)"),
            ),
            (erasure.DELETE_POSTS, _("Les supprimer, avec leurs pièces jointes")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez ce que deviennent vos messages.")},
    )
    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe pour confirmer.")},
    )
    confirmation = forms.CharField(
        label=_("Pour confirmer, tapez %(word)s") % {"word": CONFIRMATION_WORD},
        max_length=50,
        error_messages={
            "required": _("Tapez %(word)s pour confirmer.") % {"word": CONFIRMATION_WORD}
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Signed in through an identity provider: a recent sign-in stands for the password.
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        key = f"personal-data:delete-attempts:{self.user.pk}"
        attempts = cache.get(key, 0)
        if attempts >= PASSWORD_ATTEMPTS:
            raise forms.ValidationError(
                _("Trop d'essais de mot de passe. Réessayez dans un quart d'heure.")
            )
        if not self.user.check_password(password):
            cache.set(key, attempts + 1, PASSWORD_ATTEMPTS_WINDOW)
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."))
        cache.delete(key)
        return password

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"].strip()
        if value.upper() != CONFIRMATION_WORD:
            raise forms.ValidationError(
                _("Tapez exactement %(word)s (vous avez saisi « %(value)s »).")
                % {"word": CONFIRMATION_WORD, "value": value}
            )
        return value


def _needs_reauthentication(user):
    if user.has_usable_password():
        return False
    return user.last_login is None or timezone.now() - user.last_login > REAUTH_WINDOW


@never_cache
@login_required
def personal_data(request):
    """/compte/profil/donnees/: everything the site holds about the person, readable."""
    return render(
        request,
        "accounts/personal_data.html",
        {"data": export.collect(request.user), "durations": durations()},
    )


@never_cache
@login_required
def personal_data_json(request):
    """/compte/profil/donnees.json: the same, as a file to download."""
    data = export.collect(request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    filename = f"passerelle-donnees-{request.user.get_username()}-{day}.json"
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
def delete_account(request):
    """/compte/profil/supprimer/: delete one's own account, after confirmation."""
    user = request.user
    reauth = _needs_reauthentication(user)
    if request.method == "POST" and not reauth:
        form = DeleteAccountForm(request.POST, user=user)
        if form.is_valid():
            keep = form.cleaned_data["posts"] == erasure.KEEP_POSTS
            erasure.erase_account(user, keep_posts=keep)
            logout(request)
            messages.success(request, _("Votre compte a été supprimé."))
            return redirect("accounts:account_deleted")
    else:
        form = DeleteAccountForm(user=user, initial={"posts": erasure.KEEP_POSTS})
    return render(
        request,
        "accounts/personal_data_delete.html",
        {
            "form": form,
            "reauth": reauth,
            "confirmation_word": CONFIRMATION_WORD,
            "grace_days": settings.PASSERELLE_INACTIVE_GRACE_DAYS,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def account_deleted(request):
    """Where a person lands after deleting their account."""
    return render(request, "accounts/personal_data_deleted.html")
