"""machina's topic and post, as they ship, but for the counters a reply updates.

machina recounts a topic and its forum after every post saved (``Post.save()`` →
``Topic.update_trackers()`` → ``Forum.update_trackers()``): the topic's posts, its first and last
post, the forum's topics, the sum of their posts and its latest topic, then saves both rows, each
save compared field by field by the search receivers. For the commonest write of the forum, an
approved reply appended to an approved topic, that is eleven queries to learn what one addition
tells: one more post, and this one is the last. Such a reply adds one to both counters in the
database (``F() + 1``, right even when two replies cross) and names itself the last post, in
two UPDATEs. Every other save (a topic's first post, an edit, an approval, a move, a deletion)
keeps machina's recount.

Nothing that followed the topic's and forum's saves is lost: the front cache purge, the page
cache token and the search index follow the post's own save (``post_save`` of Post), which ban
the topic, its forum and the forum index, and the topic's and forum's ``updated`` are set as
their save would have (the cached topic pages and forum index are keyed on them).

The migrations stay machina's (``MIGRATION_MODULES``): no field changes here.
"""

from django.db.models import F
from django.utils import timezone
from machina.apps.forum_conversation.abstract_models import AbstractPost, AbstractTopic
from machina.core.db.models import get_model


class Topic(AbstractTopic):
    pass


class Post(AbstractPost):
    def _appends_a_reply(self, kwargs):
        if self.pk is not None or not self.approved or kwargs.get("update_fields") is not None:
            return False
        topic = self.topic
        return topic.approved and topic.first_post_id is not None

    def save(self, *args, **kwargs):
        if not self._appends_a_reply(kwargs):
            return super().save(*args, **kwargs)
        # The save of DatedModel, without machina's recount that follows it in AbstractPost.
        super(AbstractPost, self).save(*args, **kwargs)
        self._count_as_last_reply()

    def _count_as_last_reply(self):
        topic, now = self.topic, timezone.now()
        Forum = get_model("forum", "Forum")
        trackers = {"last_post": self, "last_post_on": self.created, "updated": now}
        Topic.objects.filter(pk=topic.pk).update(posts_count=F("posts_count") + 1, **trackers)
        Forum.objects.filter(pk=topic.forum_id).update(
            direct_posts_count=F("direct_posts_count") + 1, **trackers
        )
        # The instances in memory, as the database now holds them (but for a reply crossing
        # this one, which the database counted).
        topic.posts_count += 1
        topic.last_post, topic.last_post_on, topic.updated = self, self.created, now
        if Topic.forum.is_cached(topic):
            forum = topic.forum
            forum.direct_posts_count += 1
            forum.last_post, forum.last_post_on, forum.updated = self, self.created, now
