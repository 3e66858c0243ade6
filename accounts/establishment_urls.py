from django.urls import path

from accounts import establishment_views as views

app_name = "establishments"

urlpatterns = [
    path("", views.establishment_list, name="list"),
    path("<str:uai>/", views.establishment_detail, name="detail"),
    path("<str:uai>/ecrire/<int:profile_id>/", views.contact, name="contact"),
]
