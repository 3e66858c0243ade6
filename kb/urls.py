"""Knowledge-base URLs that are not pages of the tree (included before Wagtail's catch-all)."""

from django.urls import path

from kb.feeds import GuideUpdatesFeed
from kb.views import experiences

app_name = "kb"

urlpatterns = [
    path("guides/partager/", experiences.share, name="share"),
    path("guides/partager/<int:pk>/modifier/", experiences.edit, name="edit_submission"),
    path("guides/mises-a-jour.atom", GuideUpdatesFeed(), name="feed"),
    path("guides/domaine/<slug:slug>/mises-a-jour.atom", GuideUpdatesFeed(), name="domain_feed"),
    path("compte/contributions/", experiences.contributions, name="contributions"),
]
