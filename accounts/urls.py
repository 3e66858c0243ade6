from django.urls import path

from accounts import personal_data_views, views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.SignInView.as_view(), name="login"),
    path("deconnexion/", views.SignOutView.as_view(), name="logout"),
    path("profil/", views.profile, name="profile"),
    path("demande/", views.request_account, name="request_account"),
    # Personal data (GDPR): one's own only, no id in the URL.
    path("profil/donnees/", personal_data_views.personal_data, name="personal_data"),
    path("profil/donnees.json", personal_data_views.personal_data_json, name="personal_data_json"),
    path("profil/supprimer/", personal_data_views.delete_account, name="delete_account"),
    path("compte-supprime/", personal_data_views.account_deleted, name="account_deleted"),
]
