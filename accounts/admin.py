from django.contrib import admin

from accounts.models import Establishment, FederatedIdentity, Profile


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["name", "uai", "kind", "region"]
    search_fields = ["name", "uai"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "establishment"]
    list_select_related = ["user", "establishment"]
    autocomplete_fields = ["user"]


@admin.register(FederatedIdentity)
class FederatedIdentityAdmin(admin.ModelAdmin):
    """Single sign-on links (accounts/identity.py); deleting one unlinks that identity."""

    list_display = ["user", "provider", "subject", "issuer", "last_login_at"]
    list_filter = ["provider"]
    search_fields = ["subject", "user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["provider", "subject", "issuer", "created_at", "last_login_at"]
