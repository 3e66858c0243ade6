"""machina's moderation views; every action lands in the moderation log (who, what, when, why).

The "motif" field of the confirmation forms is recorded as the reason (optional, except for
moving a topic, where it is required). Approving a
held post also sends the emails its publication causes; hidden posts (``HiddenPost``) stay out
of the approval queue.
"""

from django.http import Http404
from machina.apps.forum_moderation import views as machina_views
from machina.core.db.models import get_model

from forum.community import notifications
from forum.community.models import HiddenPost, ModerationAction
from forum.community.moderation import log
from forum.forum_moderation.forms import TopicMoveForm

Kind = ModerationAction.Kind
Topic = get_model("forum_conversation", "Topic")


def _note(request):
    return request.POST.get("motif", "").strip()[:2000]


class TopicLockView(machina_views.TopicLockView):
    def lock(self, request, *args, **kwargs):
        response = super().lock(request, *args, **kwargs)
        log(request.user, Kind.LOCK, topic=self.object, note=_note(request))
        return response


class TopicUnlockView(machina_views.TopicUnlockView):
    def unlock(self, request, *args, **kwargs):
        response = super().unlock(request, *args, **kwargs)
        log(request.user, Kind.UNLOCK, topic=self.object, note=_note(request))
        return response


class TopicDeleteView(machina_views.TopicDeleteView):
    def form_valid(self, form):
        topic = self.object
        entry = log(self.request.user, Kind.DELETE_TOPIC, topic=topic, note=_note(self.request))
        response = super().form_valid(form)
        type(entry).objects.filter(pk=entry.pk).update(topic=None)
        return response


class TopicMoveView(machina_views.TopicMoveView):
    """Moving a topic requires a reason (``TopicMoveForm.motif``), recorded with both forums."""

    form_class = TopicMoveForm

    def form_valid(self, form):
        source = self.object.forum
        response = super().form_valid(form)
        self.object.refresh_from_db()
        log(
            self.request.user,
            Kind.MOVE,
            topic=self.object,
            note=f"{source.name} → {self.object.forum.name}. {form.cleaned_data['motif']}",
        )
        return response


class TypeLogMixin:
    def update_type(self, request, *args, **kwargs):
        response = super().update_type(request, *args, **kwargs)
        log(request.user, Kind.TYPE, topic=self.object, note=_note(request))
        return response


class TopicUpdateToNormalTopicView(TypeLogMixin, machina_views.TopicUpdateToNormalTopicView):
    pass


class TopicUpdateToStickyTopicView(TypeLogMixin, machina_views.TopicUpdateToStickyTopicView):
    pass


class TopicUpdateToAnnounceView(TypeLogMixin, machina_views.TopicUpdateToAnnounceView):
    pass


class ModerationQueueListView(machina_views.ModerationQueueListView):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(hidden__isnull=True)
            .select_related("topic__forum", "poster")
        )


class HeldPostForModeratorsOnly:
    """A post held for approval exists only for those who may approve it: anyone else gets the
    404 of a missing id (machina's 403 told them that a pending post had this id)."""

    def get_object(self, queryset=None):
        post = super().get_object(queryset)
        handler = self.request.forum_permission_handler
        if not handler.can_approve_posts(post.topic.forum, self.request.user):
            raise Http404
        return post


class ModerationQueueDetailView(HeldPostForModeratorsOnly, machina_views.ModerationQueueDetailView):
    pass


class PostApproveView(HeldPostForModeratorsOnly, machina_views.PostApproveView):
    def approve(self, request, *args, **kwargs):
        response = super().approve(request, *args, **kwargs)
        HiddenPost.objects.filter(post=self.object).delete()
        log(request.user, Kind.APPROVE, post=self.object, note=_note(request))
        notifications.post_published(self.object)
        return response


class PostDisapproveView(HeldPostForModeratorsOnly, machina_views.PostDisapproveView):
    def disapprove(self, request, *args, **kwargs):
        post = self.get_object()
        alone = post.is_alone
        topic, forum = post.topic, post.topic.forum
        entry = log(request.user, Kind.DISAPPROVE, post=post, note=_note(request))
        response = super().disapprove(request, *args, **kwargs)
        type(entry).objects.filter(pk=entry.pk).update(
            post=None, topic=None if alone else topic, forum=forum
        )
        return response
