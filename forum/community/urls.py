from django.urls import path

from forum.community import assignment_views, suggestion_views, views

app_name = "forum_community"

urlpatterns = [
    path("espace-moderation/", views.workbench, name="workbench"),
    path("espace-moderation/journal/", views.moderation_log, name="log"),
    path("espace-moderation/signalements/<int:pk>/", views.report_detail, name="report"),
    path("message/<int:pk>/signaler/", views.report_post, name="report_post"),
    path("message/<int:pk>/masquer/", views.hide_post, name="hide_post"),
    path("message/<int:pk>/retablir/", views.show_post, name="show_post"),
    path("sujet/<int:pk>/solution/<int:post_pk>/", views.mark_solution, name="mark_solution"),
    path("sujet/<int:pk>/solution/retirer/", views.unmark_solution, name="unmark_solution"),
    path("sujet/<int:pk>/abonnement/", views.topic_subscription, name="topic_subscription"),
    path("sujet/<int:pk>/attribution/", assignment_views.assign_topic, name="assign_topic"),
    path("sujet/<int:pk>/sans-reponse/", assignment_views.no_answer_needed, name="no_answer"),
    path("sujet/<int:pk>/bonne-pratique/", views.promote_topic, name="promote"),
    path("forum/<int:pk>/abonnement/", views.forum_subscription, name="forum_subscription"),
    path("suggestions/", suggestion_views.topic_suggestions, name="topic_suggestions"),
    path("mes-abonnements/", views.subscriptions, name="subscriptions"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("pratique/<int:page_pk>/discuter/", views.discuss_practice, name="discuss_practice"),
]
