"""The filters of /actualites/ and of its Atom and RSS feeds: one form, the same parameters.

Parameter names are French, since they show in the address a person copies or subscribes to:
``source``, ``categorie``, ``priorite``, ``public``, ``domaine``, ``annee``, ``archives``. A value
that does not exist is an error shown next to the filter (or a 400 for a feed), never a 500 and
never a silently widened list.
"""

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.models import Domain
from notices.models import Audience, NoticePage, Source
from notices.models.pages import today, unexpired

PARAMETERS = ("source", "categorie", "priorite", "public", "domaine", "annee", "archives")


class SlugChoiceField(forms.ModelChoiceField):
    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)


class NoticeFilterForm(forms.Form):
    source = SlugChoiceField(Source.objects.all(), label=_("Source"), empty_label=_("Toutes"))
    categorie = forms.ChoiceField(label=_("Catégorie"), required=False)
    priorite = forms.ChoiceField(label=_("Priorité"), required=False)
    public = SlugChoiceField(Audience.objects.all(), label=_("Public"), empty_label=_("Tous"))
    domaine = SlugChoiceField(Domain.objects.all(), label=_("Domaine"), empty_label=_("Tous"))
    annee = forms.TypedChoiceField(label=_("Année"), required=False, coerce=int, empty_value=None)
    archives = forms.BooleanField(label=_("Inclure les actualités archivées"), required=False)

    def __init__(self, data=None, index_page=None, **kwargs):
        if data is not None:
            # Only our parameters; "page" and anything else are not filters.
            data = {key: data.get(key) for key in PARAMETERS if data.get(key) not in (None, "")}
        super().__init__(data, **kwargs)
        self.fields["categorie"].choices = [("", _("Toutes")), *NoticePage.Category.choices]
        self.fields["priorite"].choices = [("", _("Toutes")), *NoticePage.Priority.choices]
        notices = NoticePage.objects.live().public()
        if index_page is not None:
            notices = notices.child_of(index_page)
        years = sorted(
            {d.year for d in notices.dates("original_published_at", "year")}, reverse=True
        )
        self.fields["annee"].choices = [("", _("Toutes")), *[(y, y) for y in years]]

    @property
    def active(self):
        return self.is_bound and any(self.data.get(key) for key in PARAMETERS)

    def filter(self, queryset):
        """Apply the valid filters; without ``archives``, expired notices are left out."""
        cleaned = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            # An invalid filter narrows to nothing rather than showing everything.
            return queryset.none()
        if cleaned.get("source"):
            queryset = queryset.filter(source=cleaned["source"])
        if cleaned.get("categorie"):
            queryset = queryset.filter(category=cleaned["categorie"])
        if cleaned.get("priorite"):
            queryset = queryset.filter(priority=cleaned["priorite"])
        if cleaned.get("public"):
            queryset = queryset.filter(
                pk__in=NoticePage.audiences.through.objects.filter(
                    audience=cleaned["public"]
                ).values("noticepage_id")
            )
        if cleaned.get("domaine"):
            queryset = queryset.filter(
                pk__in=NoticePage.domains.through.objects.filter(domain=cleaned["domaine"]).values(
                    "noticepage_id"
                )
            )
        if cleaned.get("annee"):
            queryset = queryset.filter(original_published_at__year=cleaned["annee"])
        if not cleaned.get("archives"):
            queryset = unexpired(queryset, today())
        return queryset.select_related("source").order_by(
            "-original_published_at", "-first_published_at", "-pk"
        )

    def query_string(self):
        """The valid filters as a query string, for pagination links and feed addresses."""
        if not self.is_bound or not self.is_valid():
            return ""
        pairs = []
        for key in PARAMETERS:
            value = self.cleaned_data.get(key)
            if value in (None, "", False):
                continue
            if key == "archives":
                value = "1"
            elif hasattr(value, "slug"):
                value = value.slug
            pairs.append((key, value))
        return urlencode(pairs)

    def error_text(self):
        return " ".join(
            f"{self.fields[name].label} : {' '.join(errors)}"
            for name, errors in self.errors.items()
        )


__all__ = ["PARAMETERS", "NoticeFilterForm"]
