"""Knowledge-base URLs that are not pages of the tree (included before Wagtail's catch-all)."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from wagtail.views import serve as wagtail_serve

from kb.feeds import GuideUpdatesFeed
from kb.views import experiences

app_name = "kb"

urlpatterns = [
    path("guides/partager/", experiences.share, name="share"),
    path("guides/partager/<int:pk>/modifier/", experiences.edit, name="edit_submission"),
    path("guides/mises-a-jour.atom", GuideUpdatesFeed(), name="feed"),
    path("guides/domaine/<slug:slug>/mises-a-jour.atom", GuideUpdatesFeed(), name="domain_feed"),
    path("compte/contributions/", experiences.contributions, name="contributions"),
    # A page's feedback route (kb.views.feedback), served by Wagtail as usual but checking CSRF
    # itself: without a token it answers with a confirmation step carrying one (no 403).
    re_path(r"^(?P<path>(?:[\w\-]+/)+avis/)$", csrf_exempt(wagtail_serve), name="page_feedback"),
]
