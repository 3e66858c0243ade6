"""Print the current TOTP code of a demo editor or administrator (demo only)."""

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_TOTP_SECRETS


class Command(BaseCommand):
    help = "Affiche le code TOTP actuel d'un compte de démonstration (editeur, admin)."

    def add_arguments(self, parser):
        parser.add_argument("login", choices=sorted(DEMO_TOTP_SECRETS))

    def handle(self, *args, login, **options):
        import time

        from allauth.mfa import app_settings

        secret = DEMO_TOTP_SECRETS.get(login)
        if secret is None:  # pragma: no cover - argparse refuses it first
            raise CommandError(f"Pas de secret TOTP de démonstration pour {login}.")
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        remaining = app_settings.TOTP_PERIOD - int(time.time()) % app_settings.TOTP_PERIOD
        code = format_hotp_value(hotp_value(secret, counter))
        self.stdout.write(f"{code}  (valable encore {remaining} s ; secret {secret})")
