"""machina's tracking handler; unread forums are computed in memory from the forum list.

machina's ``get_unread_forums_from_list`` asked the database for the ancestors of every unread
forum (``get_ancestors()``: one query per forum on the index for a signed-in reader). The
ancestors that matter are those in the list being displayed, which the tree fields (tree_id,
lft, rght) of the list give without a query.

machina's ``mark_topic_read`` also wrote the reader's topic track (and ran three more queries)
on every read of a topic they had already read up to its last post; such a re-read now writes
nothing (one or two reads).
"""

from machina.apps.forum_tracking.handler import TrackingHandler as MachinaTrackingHandler
from machina.core.db.models import get_model
from machina.core.loading import get_class

ForumReadTrack = get_model("forum_tracking", "ForumReadTrack")
TopicReadTrack = get_model("forum_tracking", "TopicReadTrack")
ForumVisibilityContentTree = get_class("forum.visibility", "ForumVisibilityContentTree")


def _with_ancestors(forums, unread):
    """``unread`` plus their ancestors found in ``forums``."""
    by_tree = {}
    for forum in forums:
        by_tree.setdefault(forum.tree_id, []).append(forum)
    result = {}
    for forum in unread:
        for other in by_tree.get(forum.tree_id, ()):
            if other.lft <= forum.lft and other.rght >= forum.rght:
                result[other.pk] = other
    return list(result.values())


class TrackingHandler(MachinaTrackingHandler):
    def get_unread_forums_from_list(self, user, forums):
        if not user.is_authenticated:
            return []
        forums = list(forums)
        nodes = ForumVisibilityContentTree.from_forums(forums).as_dict
        tracks = dict(
            ForumReadTrack.objects.filter(user=user, forum__in=forums).values_list(
                "forum_id", "mark_time"
            )
        )
        unread = []
        for forum in forums:
            if forum.pk in tracks:
                last_post_on = nodes[forum.pk].last_post_on if forum.pk in nodes else None
                if last_post_on and tracks[forum.pk] < last_post_on:
                    unread.append(forum)
            elif forum.direct_topics_count > 0:
                unread.append(forum)
        return _with_ancestors(forums, unread)

    def mark_topic_read(self, topic, user, marks=None):
        """``marks``: the reader's (forum mark, topic mark), when the caller has read them
        already (the topic page reads them with the topic: ``forum_conversation.topic_row``)."""
        if not user.is_authenticated:
            return
        last = topic.last_post_on
        if last is not None:
            if marks is None:
                forum_mark = (
                    ForumReadTrack.objects.filter(forum_id=topic.forum_id, user=user)
                    .values_list("mark_time", flat=True)
                    .first()
                )
            else:
                forum_mark = marks[0]
            if forum_mark is not None and forum_mark >= last:
                return  # machina does nothing either
            if marks is None:
                topic_mark = (
                    TopicReadTrack.objects.filter(topic=topic, user=user)
                    .values_list("mark_time", flat=True)
                    .first()
                )
            else:
                topic_mark = marks[1]
            if topic_mark is not None and topic_mark >= last:
                return  # already read up to its last post: machina would only move mark_time
        super().mark_topic_read(topic, user)
