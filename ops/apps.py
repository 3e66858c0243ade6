from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Passerelle: tasks, health, logs, backups (README "Running it for real")."""

    name = "ops"
    verbose_name = "Exploitation"

    def ready(self):
        from django.conf import settings

        # The guide PDF is rendered ahead by the worker only where the worker's cache is the web
        # servers' cache (Redis) and tasks do not run inside the request.
        if settings.REDIS_URL and settings.PASSERELLE_TASKS_BACKEND != "immediate":
            from wagtail.signals import page_published

            from ops.signals import on_page_published

            page_published.connect(on_page_published, dispatch_uid="ops.render_guide_pdf")
