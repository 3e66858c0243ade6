"""machina's post and topic forms; posts of new accounts are held for approval where the
forum's policy says so (``forum_community.ForumPolicy``)."""

import datetime

from django.utils import timezone
from machina.apps.forum_conversation.forms import PostForm as MachinaPostForm
from machina.apps.forum_conversation.forms import TopicForm as MachinaTopicForm


def held_for_new_account(forum, user):
    from forum.community.models import ForumPolicy

    if not user.is_authenticated:
        return False
    policy = ForumPolicy.objects.filter(forum=forum, hold_new_accounts=True).first()
    if policy is None:
        return False
    return user.date_joined > timezone.now() - datetime.timedelta(days=policy.new_account_days)


class HoldNewAccountsMixin:
    def _held(self):
        # Moderators' own posts are never held.
        return held_for_new_account(self.forum, self.user) and not (
            self.perm_handler.can_approve_posts(self.forum, self.user)
        )

    def _hold(self, post):
        if post.approved and self._held():
            post.approved = False
        return post

    def create_post(self):
        return self._hold(super().create_post())


class PostForm(HoldNewAccountsMixin, MachinaPostForm):
    pass


class TopicForm(HoldNewAccountsMixin, MachinaTopicForm):
    def create_topic(self):
        topic = super().create_topic()
        if topic.approved and self._held():
            topic.approved = False
        return topic
