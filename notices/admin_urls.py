from django.urls import path

from notices import admin_views

app_name = "notices_triage"
urlpatterns = [
    path("", admin_views.queue, name="queue"),
    path("<int:pk>/accepter/", admin_views.accept, name="accept"),
    path("<int:pk>/ecarter/", admin_views.dismiss, name="dismiss"),
    path("<int:pk>/remettre/", admin_views.restore, name="restore"),
    path("<int:pk>/prise-en-compte/", admin_views.acknowledge, name="acknowledge"),
    path("sources/<int:pk>/relever/", admin_views.fetch_source, name="fetch_source"),
]
