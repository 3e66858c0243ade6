from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles_after_migrate(sender, using="default", **kwargs):
    from accounts.roles import ensure_roles

    ensure_roles(using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et établissements"

    def ready(self):
        # accounts is the last installed app: when its post_migrate fires, every other app's
        # permissions (Django's, Wagtail's, machina's forum permissions) exist already.
        post_migrate.connect(_ensure_roles_after_migrate, sender=self)
        from accounts.personal_data import signins

        signins.connect()
