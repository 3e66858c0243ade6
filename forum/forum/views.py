"""machina's forum pages: a solved / unsolved filter and the "Résolu" mark in topic lists."""

from machina.apps.forum.views import ForumView as MachinaForumView
from machina.apps.forum.views import IndexView  # noqa: F401

from forum.community.solutions import with_solved

SOLVED_FILTERS = {"resolus": True, "non-resolus": False}


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
