"""machina's forum pages: a solved / unsolved filter and the "Résolu" mark in topic lists; the
index served from the cache to anonymous visitors without a session (``page_cache``)."""

from django.core.cache import caches
from django.http import HttpResponse
from machina.apps.forum.views import ForumView as MachinaForumView
from machina.apps.forum.views import IndexView as MachinaIndexView

from forum.community.solutions import with_solved
from forum.forum_conversation.page_cache import anonymous_index_key, store_anonymous_page

SOLVED_FILTERS = {"resolus": True, "non-resolus": False}


class IndexView(MachinaIndexView):
    def get(self, request, *args, **kwargs):
        key = anonymous_index_key(request)
        if key is not None:
            content = caches["forum_pages"].get(key)
            if content is not None:
                return HttpResponse(content)
        response = super().get(request, *args, **kwargs)
        if key is not None:
            response.add_post_render_callback(lambda r: store_anonymous_page(request, key, r))
        return response


class ForumView(MachinaForumView):
    def get_queryset(self):
        queryset = with_solved(super().get_queryset())
        wanted = SOLVED_FILTERS.get(self.request.GET.get("etat", ""))
        if wanted is not None:
            queryset = queryset.filter(is_solved=wanted)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["solved_filter"] = self.request.GET.get("etat", "")
        announces = context.get("announces") or []
        if announces:
            from forum.community.models import TopicSolution

            solved = set(
                TopicSolution.objects.filter(topic__in=announces).values_list("topic_id", flat=True)
            )
            for topic in announces:
                topic.is_solved = topic.pk in solved
        return context
