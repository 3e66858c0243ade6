"""machina's forum tree, with each forum's last post fetched with its topic and poster.

The forum list links every last post to its topic (``node.last_post.topic.slug``); machina only
followed ``last_post`` and ``last_post__poster``, so the index ran one topic query per forum.
"""

from django.db.models.query import QuerySet
from machina.apps.forum.visibility import ForumVisibilityContentNode  # noqa: F401
from machina.apps.forum.visibility import (
    ForumVisibilityContentTree as MachinaForumVisibilityContentTree,
)


class ForumVisibilityContentTree(MachinaForumVisibilityContentTree):
    @classmethod
    def from_forums(cls, forums):
        if isinstance(forums, QuerySet):
            forums = forums.select_related("last_post__topic", "last_post__poster")
        return super().from_forums(forums)
