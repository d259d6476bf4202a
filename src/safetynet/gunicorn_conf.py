"""gunicorn settings for serving safetynet in production (docs/deploy.md): one process per core,
each with a few threads, all behind the same WSGI application (`safetynet.wsgi:application`).

Python threads share one interpreter lock, so a single process (waitress) keeps one core busy
whatever its thread count; worker processes use every core. The threads of a process overlap
database waits. Read by `safetynet serve` and by `gunicorn -c python:safetynet.gunicorn_conf`.

Environment: SAFETYNET_BIND (default 127.0.0.1:8000), SAFETYNET_WORKERS (default: the cores),
SAFETYNET_THREADS (default 2), SAFETYNET_ACCESS_LOG (a path or "-"; default off),
SAFETYNET_TRUSTED_PROXIES (the proxy's addresses, as for Django).
"""

import gc
import os

from safetynet.connection_share import ConnectionShare

bind = os.environ.get("SAFETYNET_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SAFETYNET_WORKERS") or os.cpu_count() or 1)
worker_class = "gthread"
# Two threads: they overlap one request's database waits with another's work. More threads in a
# process take turns on its one interpreter lock: at 4 the slower lists' p95 was 10–25% longer
# (docs/scale.md, "Two threads a worker").
threads = int(os.environ.get("SAFETYNET_THREADS") or 2)
# Import Django and the application once in the master, then fork: the workers share its memory
# pages and start at once. No database connection is opened at import, so none is shared.
preload_app = True
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("SAFETYNET_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("SAFETYNET_TRUSTED_PROXIES") or "127.0.0.1"
proc_name = "safetynet"


def when_ready(server):
    """Once the master holds the application (preload_app), move its objects — about 530,000:
    Django, the views and API, pandas, DuckDB, the pinyin tables — out of the cyclic garbage
    collector's reach. Otherwise each worker's full collections walk them all, stopping every
    thread of the process for up to 0.6 s under load, and touching them unshares the memory pages
    the workers inherited (docs/scale.md, "Even shares, no collector pauses")."""
    gc.collect()
    gc.freeze()


# The workers' shares of the kept-alive connections, kept even (connection_share.py).
SHARE = ConnectionShare()


def post_fork(server, worker):
    worker.share_slot = SHARE.join(worker.pid)


def child_exit(server, worker):
    SHARE.leave(worker.pid)


def pre_request(worker, req):
    slot, connections = getattr(worker, "share_slot", None), getattr(worker, "nr_conns", None)
    if slot is not None and connections is not None and SHARE.over_share(slot, connections):
        req.must_close = True  # answered with "Connection: close"; the client reconnects
