"""Signals that keep the search documents true, each acting after the transaction commits."""

from django.db.models.signals import post_delete, post_save
from machina.core.db.models import get_model
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from search import indexing
from search.models import SearchDocument

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")


def on_page_published(sender, instance, **kwargs):
    indexing.after_commit(indexing.sync_page, instance.pk)


def on_page_unpublished(sender, instance, **kwargs):
    indexing.after_commit(indexing.sync_page, instance.pk)


def on_page_tree_changed(sender, instance, **kwargs):
    # A move, a new slug or a privacy change reaches every page below.
    indexing.after_commit(indexing.sync_page_and_descendants, instance.pk)


def on_view_restriction_changed(sender, instance, **kwargs):
    indexing.after_commit(indexing.sync_page_and_descendants, instance.page_id)


def on_post_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.after_commit(indexing.sync_post, instance.pk)


def on_topic_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.after_commit(indexing.sync_topic, instance.pk)


def on_forum_tree_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.after_commit(indexing.sync_forum_domains)


def on_solution_changed(sender, instance, **kwargs):
    indexing.after_commit(indexing.sync_topic, instance.topic_id)


def on_document_deleted(sender, instance, **kwargs):
    indexing.unindex(instance)


def connect():
    post_delete.connect(
        on_document_deleted, sender=SearchDocument, dispatch_uid="search-document-deleted"
    )
    page_published.connect(on_page_published, dispatch_uid="search-page-published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="search-page-unpublished")
    post_page_move.connect(on_page_tree_changed, dispatch_uid="search-page-moved")
    page_slug_changed.connect(on_page_tree_changed, dispatch_uid="search-page-slug")
    for signal in (post_save, post_delete):
        signal.connect(
            on_view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"search-restriction-{signal is post_save}",
        )
    post_save.connect(on_post_saved, sender=Post, dispatch_uid="search-post-saved")
    post_save.connect(on_topic_saved, sender=Topic, dispatch_uid="search-topic-saved")
    post_save.connect(on_forum_tree_changed, sender=Forum, dispatch_uid="search-forum-saved")
    from django.apps import apps

    post_save.connect(
        on_forum_tree_changed, sender=apps.get_model("kb", "Domain"), dispatch_uid="search-domain"
    )
    try:
        solution = apps.get_model("forum_community", "TopicSolution")
    except LookupError:
        return
    for signal in (post_save, post_delete):
        signal.connect(
            on_solution_changed,
            sender=solution,
            dispatch_uid=f"search-solution-{signal is post_save}",
        )
