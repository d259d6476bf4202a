"""The WSGI module loads the URL configuration (views, API) at import, so that gunicorn's master
holds it before forking, and opens no database connection doing so (a connection shared by forked
workers would mix their queries)."""

import json
import os
import subprocess
import sys

PROBE = """
import json, sys
import safetynet.wsgi
from django.db import connections
print(json.dumps({
    "urls": "safetynet.urls" in sys.modules,
    "api": "safetynet.api.main" in sys.modules,
    "connected": [a for a in connections if connections[a].connection is not None],
}))
"""


def test_the_wsgi_module_loads_the_urls_without_opening_a_connection(tmp_path):
    env = {**os.environ, "SAFETYNET_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "safetynet.settings"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == {"urls": True, "api": True, "connected": []}
