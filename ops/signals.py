from ops.tasks import enqueue_on_commit, render_guide_pdf


def on_page_published(sender, instance, **kwargs):
    """A guide or one of its chapters was published: render the guide's PDF ahead."""
    from kb.models import GuidePage

    page = instance.specific
    guide = page if isinstance(page, GuidePage) else page.get_parent().specific
    if isinstance(guide, GuidePage):
        enqueue_on_commit(render_guide_pdf, guide.pk)
