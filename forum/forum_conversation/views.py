"""machina's topic and post views, extended.

- Reading a topic: under another forum's id, or held for approval (except for its author and
  moderators), a topic is a 404; the accepted answer right after the question, the reader's
  subscription, report / solution / moderation actions; anonymous reads no longer write
  ``views_count`` on every request, nor signed-in re-reads their read tracking (views are
  counted in the cache and moved to the database in batches, none lost:
  ``forum.community.topic_views``).
- The forum, topic and post a form's URL names must belong together (404 otherwise): machina
  took the page's forum from the URL and the permission from the topic, so a public topic's
  reply page under a private forum's id showed that forum's name.
- Posting: the author is subscribed (unless they turned that off) and, once the post is
  visible, subscribers and mentioned people are emailed (after the transaction commits).
"""

from django.core.cache import caches
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from machina.apps.forum_conversation.views import PostCreateView as MachinaPostCreateView
from machina.apps.forum_conversation.views import PostDeleteView as MachinaPostDeleteView
from machina.apps.forum_conversation.views import PostUpdateView as MachinaPostUpdateView
from machina.apps.forum_conversation.views import TopicCreateView as MachinaTopicCreateView
from machina.apps.forum_conversation.views import TopicUpdateView as MachinaTopicUpdateView
from machina.apps.forum_conversation.views import TopicView as MachinaTopicView
from machina.core.db.models import get_model
from machina.core.loading import get_class

from forum.community import notifications
from forum.community.access import can_moderate
from forum.community.solutions import can_mark_solution
from forum.community.topic_views import count_anonymous_view, count_view
from forum.forum_conversation.page_cache import anonymous_page_key, store_anonymous_page
from forum.forum_conversation.post_cache import attach_rendered_posts, controls_of
from forum.forum_conversation.topic_row import posts_page, topic_row
from ops.tasks import batched_tasks

Topic = get_model("forum_conversation", "Topic")
TrackingHandler = get_class("forum_tracking.handler", "TrackingHandler")


class TopicView(MachinaTopicView):
    def get_topic(self):
        if not hasattr(self, "topic"):
            # machina's query, with the topic's poll, accepted answer, practice page,
            # assignment, and the reader's subscription and read marks, in one query.
            self.row = topic_row(self.kwargs["pk"], self.request.user)
            self.topic = topic = self.row.topic
            # The URL's forum must be the topic's (machina ignored it: any forum id, existing,
            # private or not, showed the topic).
            if topic.forum_id != _int(self.kwargs.get("forum_pk")):
                del self.topic
                raise Http404
            # A topic held for approval exists only for its author and the forum's moderators
            # (machina showed its subject to anyone who tried its id).
            user = self.request.user
            if not topic.approved and not (
                (user.is_authenticated and topic.poster_id == user.pk)
                or self.request.forum_permission_handler.can_approve_posts(topic.forum, user)
            ):
                del self.topic
                raise Http404
        return self.topic

    def get(self, request, **kwargs):
        # dispatch() has already checked that the reader may read the topic's forum (404 if not).
        key = anonymous_page_key(request, self.get_topic(), self.row.cache_state())
        if key is not None:
            content = caches["forum_pages"].get(key)
            if content is not None:
                count_anonymous_view(self.topic.pk)
                return HttpResponse(content)
        response = super().get(request, **kwargs)
        if key is not None and hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(lambda r: store_anonymous_page(request, key, r))
        return response

    def send_signal(self, request, response, topic):
        # In place of machina's ``topic_viewed`` receivers, which wrote on every read: the view
        # is counted in the cache (moved to the database in batches), and a signed-in reader's
        # read tracking is written only when the topic has something new for them.
        count_view(topic.pk)
        if request.user.is_authenticated:
            TrackingHandler().mark_topic_read(
                topic, request.user, marks=(self.row.forum_mark, self.row.topic_mark)
            )

    def get_paginator(self, queryset, per_page, *args, **kwargs):
        paginator = super().get_paginator(queryset, per_page, *args, **kwargs)
        # machina keeps the topic's number of approved posts (those listed) up to date on every
        # post save and delete (``Topic.update_trackers``): no COUNT query for the pages.
        if self.topic.posts_count:
            paginator.count = self.topic.posts_count
        return paginator

    def paginate_queryset(self, queryset, page_size):
        paginator, page, _posts, is_paginated = super().paginate_queryset(queryset, page_size)
        # The page's slice of ``get_queryset()``, read in one statement written once per process
        # (building that select_related query cost more than running it).
        query = page.object_list.query
        low, high = query.low_mark, query.high_mark
        page.object_list = posts_page(self.topic, low, (high - low) if high is not None else 10**9)
        return paginator, page, page.object_list, is_paginated

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            # The authors' forum profiles in the same query (machina prefetched them).
            .select_related("poster__profile__establishment", "poster__forum_profile", "hidden")
            .prefetch_related(None)
            .prefetch_related("attachments")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topic = context["topic"]
        user = self.request.user
        handler = self.request.forum_permission_handler
        row = self.row
        solution = row.solution
        context["solution"] = solution if solution and solution.post.approved else None
        context["can_mark_solution"] = can_mark_solution(topic, user, handler)
        context["can_moderate"] = can_moderate(topic.forum, user, handler)
        context["subscription"] = row.subscription
        context["practice_link"] = row.practice_link
        context["topic_assignment"] = (topic.pk, row.assignment)
        context["frequencies"] = notifications.Frequency.choices
        context["user_can_download_files"] = can_download = handler.can_download_files(
            topic.forum, user
        )
        posts = context["posts"]
        controls = {
            post.pk: controls_of(
                post,
                topic,
                user,
                handler,
                context["solution"],
                context["can_mark_solution"],
                context["can_moderate"],
            )
            for post in posts
        }
        attach_rendered_posts(posts, topic, topic.forum, can_download, controls, self.request)
        return context


def _int(value):
    return int(value) if value is not None else None


class SameObjectsMixin:
    """The topic must be in the URL's forum and the post in the URL's topic, or 404."""

    def get_topic(self):
        pk = self.kwargs.get(self.topic_pk_url_kwarg)
        if pk and not hasattr(self, "_topic"):
            # machina's query, with the topic's forum in it: the view's forum is that one (or a
            # 404 below), and the permission check and the counters use it (one query less).
            self._topic = get_object_or_404(Topic.objects.select_related("forum"), pk=pk)
        topic = super().get_topic()
        if topic is not None and topic.forum_id != _int(self.kwargs.get(self.forum_pk_url_kwarg)):
            raise Http404
        if topic is not None and not hasattr(self, "_forum"):
            self._forum = topic.forum
        return topic

    def get_post(self):
        post = super().get_post()
        if post is not None and self.post_pk_url_kwarg in self.kwargs:
            if post.topic_id != _int(self.kwargs.get(self.topic_pk_url_kwarg)):
                raise Http404
            self.get_topic()
        return post


class PublishMixin:
    """After a new post is saved: subscribe its author, and notify if it is visible.

    One transaction for the whole post: machina writes the post, the author's post count, the
    topic's and the forum's counters each in its own autocommit (four commits, each with its
    deferred search triggers, on PostgreSQL four WAL flushes), and a failure halfway left
    counters that did not match. Its tasks (search index, notifications) leave together once it
    has committed (``batched_tasks``: one Redis round trip with RQ)."""

    def form_valid(self, post_form, attachment_formset, *args, **kwargs):
        with transaction.atomic(), batched_tasks():
            response = super().form_valid(post_form, attachment_formset, *args, **kwargs)
            post = getattr(self, "forum_post", None)
            if post is not None and post.pk and not self.preview:
                if self.request.user.is_authenticated:
                    notifications.auto_subscribe(self.request.user, post.topic)
                notifications.post_published(post)
        return response

    def get_post_form_kwargs(self):
        # machina's form makes a permission handler of its own, which computes the person's
        # permissions again (a query and a cache read): it gets the request's.
        return {
            **super().get_post_form_kwargs(),
            "perm_handler": self.request.forum_permission_handler,
        }


class SuggestionStepMixin:
    """Without JavaScript, a new topic whose title resembles existing topics or guide pages is
    shown once more with those suggestions before it is published, keeping what was written
    (and the uploaded attachments, which machina keeps in its attachment cache). With
    JavaScript the suggestions were shown while typing, and the form says so
    (``suggestions_vues``)."""

    def form_valid(self, post_form, attachment_formset, *args, **kwargs):
        if not self.preview and not self.request.POST.get("suggestions_vues"):
            from forum.community.suggestions import similar

            found = similar(post_form.cleaned_data.get("subject", ""), self.request.user)
            if found:
                self.attachment_preview = attachment_formset is not None
                poll_option_formset = args[0] if args else kwargs.pop("poll_option_formset", None)
                kwargs.pop("poll_options_validated", None)
                return self.render_to_response(
                    self.get_context_data(
                        post_form=post_form,
                        attachment_formset=attachment_formset,
                        poll_option_formset=poll_option_formset,
                        suggestions=found,
                        suggestions_step=True,
                    )
                )
        return super().form_valid(post_form, attachment_formset, *args, **kwargs)


class TopicCreateView(SuggestionStepMixin, PublishMixin, MachinaTopicCreateView):
    pass


class TopicUpdateView(SameObjectsMixin, MachinaTopicUpdateView):
    pass


class PostCreateView(SameObjectsMixin, PublishMixin, MachinaPostCreateView):
    pass


class PostUpdateView(SameObjectsMixin, MachinaPostUpdateView):
    pass


class PostDeleteView(MachinaPostDeleteView):
    """A moderator deleting someone else's post leaves a line in the moderation log.

    The post must be in the URL's topic, and the topic in the URL's forum (404 otherwise)."""

    def get_object(self, queryset=None):
        if not hasattr(self, "_checked_post"):
            post = super().get_object(queryset)
            if post.topic_id != int(self.kwargs["topic_pk"]) or post.topic.forum_id != int(
                self.kwargs["forum_pk"]
            ):
                raise Http404
            self._checked_post = post
        return self._checked_post

    def form_valid(self, form):
        post = self.object
        if post.poster_id != self.request.user.pk:
            from forum.community.models import ModerationAction
            from forum.community.moderation import log

            entry = log(self.request.user, ModerationAction.Kind.DELETE, post=post)
            alone = post.is_alone
            topic, forum = post.topic, post.topic.forum
            response = super().form_valid(form)
            type(entry).objects.filter(pk=entry.pk).update(
                post=None, topic=None if alone else topic, forum=forum
            )
            return response
        return super().form_valid(form)
