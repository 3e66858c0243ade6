"""Signals that keep the search documents true, each acting after the transaction commits."""

from django.db.models.signals import post_delete, post_save, pre_save
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


# What the search documents copy from a topic or a forum. machina saves both on every reply
# (their post counters and last post); only a change to these fields needs a task.
INDEXED_FIELDS = {
    Topic: ("subject", "slug", "forum_id", "approved"),
    Forum: ("name", "slug", "parent_id"),
}


def indexed_values(model, instance):
    return tuple(getattr(instance, name) for name in INDEXED_FIELDS[model])


def on_indexed_model_saving(sender, instance, raw=False, **kwargs):
    """Remember the indexed fields as stored, to compare after the save (one query)."""
    if raw or instance.pk is None:
        return
    instance._search_indexed_values = (
        sender.objects.filter(pk=instance.pk).values_list(*INDEXED_FIELDS[sender]).first()
    )


def indexed_fields_changed(sender, instance, created):
    before = getattr(instance, "_search_indexed_values", None)
    instance.__dict__.pop("_search_indexed_values", None)
    return created or before is None or tuple(before) != indexed_values(sender, instance)


def on_post_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.after_commit(indexing.sync_post, instance.pk)


def on_topic_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and indexed_fields_changed(sender, instance, created):
        indexing.after_commit(indexing.sync_topic, instance.pk)


def on_forum_tree_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    if sender is Forum and not indexed_fields_changed(sender, instance, created):
        return
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
    for model in INDEXED_FIELDS:
        pre_save.connect(
            on_indexed_model_saving, sender=model, dispatch_uid=f"search-saving-{model.__name__}"
        )
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
