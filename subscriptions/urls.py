from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("abonnements/", views.page, name="page"),
    path("abonnements/suivre/<str:kind>/<int:pk>/", views.toggle, name="toggle"),
    path("abonnements/arreter/<str:token>/", views.stop, name="stop"),
]
