"""WSGI entry point for gunicorn: `gunicorn config.wsgi`."""

import atexit
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Anonymous topic views still pending in this worker's cache reach the database when it exits.
from forum.community.topic_views import flush_counted_here  # noqa: E402 -- needs Django set up

atexit.register(flush_counted_here)
