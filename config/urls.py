from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from machina import urls as machina_urls
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from ops.health import health
from passerelle.frontcache import views as frontcache_views
from search import views as search_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("kb.urls")),
    path("compte/", include("accounts.urls")),
    path("compte/", include("accounts.allauth_urls")),  # allauth: sign-up, reset, 2FA, sessions
    path("compte/", include("accounts.sso")),
    path("compte/", include("subscriptions.urls")),  # « Mes abonnements », stop links
    path("forum/", include("forum.community.urls")),
    path("forum/", include(machina_urls)),
    path("recherche/", search_views.search, name="search"),
    path("etablissements/", include("accounts.establishment_urls")),  # issue 14
    path("csrf/", frontcache_views.csrf_token, name="csrf_token"),
    path("sante/", health, name="health"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path: the home page, /guides/, /actualites/ and the legal pages.
urlpatterns += [path("", include(wagtail_urls))]
