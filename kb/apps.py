from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Base de connaissances"

    def ready(self):
        from kb import signals

        signals.connect()
