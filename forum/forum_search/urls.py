from django.urls import path
from machina.core.loading import get_class
from machina.core.urls import URLPatternsFactory


class ForumSearchURLPatternsFactory(URLPatternsFactory):
    app_namespace = "forum_search"

    search_view = staticmethod(get_class("forum_search.views", "forum_search"))

    def get_urlpatterns(self):
        return [path("", self.search_view, name="search")]


urlpatterns_factory = ForumSearchURLPatternsFactory()
