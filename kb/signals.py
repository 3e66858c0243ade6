"""Receivers that call the knowledge base's rules when Wagtail publishes a page.

``page_published`` is sent for every publication: from the editor, at the end of a workflow, and
by ``publish_scheduled`` for scheduled pages, so the readers' history misses none of them.
"""

from wagtail.signals import page_published


def on_page_published(sender, instance, revision=None, **kwargs):
    from kb.editorial import sync_page_editorial
    from kb.history import is_knowledge_page, record_publication
    from kb.reviews import close_on_verified_publication

    if is_knowledge_page(instance):
        update = record_publication(instance, revision)
        sync_page_editorial(instance)
        if update is not None:
            user = getattr(revision, "user", None)
            close_on_verified_publication(instance.specific, update, user)


def connect():
    page_published.connect(on_page_published, dispatch_uid="kb.record_publication")
