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


class RequestPermissionHandlerMixin:
    """Uses the view's permission handler (``perm_handler=``, the request's) in place of the one
    machina's form makes for itself, which would compute the person's permissions again."""

    def __init__(self, *args, perm_handler=None, **kwargs):
        self._request_perm_handler = perm_handler
        super().__init__(*args, **kwargs)

    @property
    def perm_handler(self):
        return self._request_perm_handler or self._own_perm_handler

    @perm_handler.setter
    def perm_handler(self, handler):
        self._own_perm_handler = handler


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


class PostForm(RequestPermissionHandlerMixin, HoldNewAccountsMixin, MachinaPostForm):
    pass


class TopicForm(RequestPermissionHandlerMixin, HoldNewAccountsMixin, MachinaTopicForm):
    def create_topic(self):
        topic = super().create_topic()
        if topic.approved and self._held():
            topic.approved = False
        return topic
