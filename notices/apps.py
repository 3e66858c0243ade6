from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Actualités relayées"

    def ready(self):
        from wagtail.signals import page_published

        from notices.alerts import on_page_published
        from notices.models import NoticePage
        from passerelle.sanitizer import install_rich_text_link_rule

        # Rich text (notices' impact, guide bodies) leaves through the sanitizer's URL rule.
        install_rich_text_link_rule()

        page_published.connect(
            on_page_published, sender=NoticePage, dispatch_uid="notices_urgent_alert"
        )
        page_published.connect(
            flag_pages_after_publication, sender=NoticePage, dispatch_uid="notices_flag_pages"
        )


def flag_pages_after_publication(sender, instance, **kwargs):
    """The guide pages a published notice concerns get their review requests (kb.reviews), in
    a background task once the publication has committed."""
    from ops.tasks import enqueue_on_commit, flag_pages_for_notice

    enqueue_on_commit(flag_pages_for_notice, instance.pk)
