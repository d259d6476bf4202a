"""The WSGI application (gunicorn, waitress, `safetynet serve`).

The URL configuration, and with it every view, the API and what they import, is loaded here rather
than on the first request: gunicorn imports this module once in its master before it forks
(`gunicorn_conf.preload_app`), so each worker starts with them loaded, shares their memory, and
its first requests do not wait behind a second or more of imports. Loading them opens no database
connection (`tests/web/test_wsgi.py`)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 -- imports the URL configuration now (see above)
