"""WSGI entry point for gunicorn (and runserver): refuses to start while a backend is unreachable."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionboard.settings")
application = get_wsgi_application()

# Each database and the cache are tried now: a missing redis package or an unreachable Redis
# or PostgreSQL stops the server with the reason (ImproperlyConfigured) instead of answering
# 500 to the first request of every page.
from unionboard.backends import check_backends  # noqa: E402  (needs the apps loaded above)

check_backends()
