from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Abonnements")

    def ready(self):
        from wagtail.signals import page_published

        page_published.connect(notify_followers, dispatch_uid="subscriptions_immediate")


def notify_followers(sender, instance, revision=None, **kwargs):
    """The people who follow a published guide page or notice « immédiatement » get their email
    (subscriptions.immediate), in a background task once the publication has committed."""
    from kb.history import is_knowledge_page
    from notices.models import NoticePage
    from ops.tasks import enqueue_on_commit, notify_notice_followers, notify_page_followers

    if isinstance(instance, NoticePage):
        enqueue_on_commit(notify_notice_followers, instance.pk)
    elif is_knowledge_page(instance):
        enqueue_on_commit(notify_page_followers, instance.pk, revision.pk if revision else None)
