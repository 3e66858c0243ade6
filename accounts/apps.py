from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles_after_migrate(sender, using="default", **kwargs):
    from accounts.roles import ensure_roles

    ensure_roles(using=using)


def _attach_on_email_confirmed(sender, request, email_address, **kwargs):
    from accounts.signup import attach_verified_address

    attach_verified_address(email_address.user, email_address.email)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et établissements"

    def ready(self):
        from allauth.account.signals import email_confirmed

        # accounts is the last installed app: when its post_migrate fires, every other app's
        # permissions (Django's, Wagtail's, machina's forum permissions) exist already.
        post_migrate.connect(_ensure_roles_after_migrate, sender=self)
        # A verified address of an establishment's domain attaches the person to it.
        email_confirmed.connect(_attach_on_email_confirmed, dispatch_uid="accounts-attach")
        from accounts.personal_data import signins

        signins.connect()
