from django.contrib import admin

from accounts.models import Establishment, Profile


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["name", "uai", "kind", "region"]
    search_fields = ["name", "uai"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "establishment"]
    list_select_related = ["user", "establishment"]
    autocomplete_fields = ["user"]
