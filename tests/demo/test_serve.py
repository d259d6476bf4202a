"""The production server's settings (safetynet/gunicorn_conf.py, docs/deploy.md): a process per
core by default, threads in each, the environment overriding both."""

from __future__ import annotations

import gc
import importlib
import os


def _conf(monkeypatch, **env):
    for key in ("SAFETYNET_WORKERS", "SAFETYNET_THREADS", "SAFETYNET_BIND"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import safetynet.gunicorn_conf as conf

    return importlib.reload(conf)


def test_gunicorn_runs_one_process_per_core_with_threads_by_default(monkeypatch):
    conf = _conf(monkeypatch)
    assert conf.workers == (os.cpu_count() or 1)
    assert conf.worker_class == "gthread" and conf.threads == 2
    assert conf.preload_app is True and conf.bind == "127.0.0.1:8000"


def test_the_environment_sets_workers_threads_and_address(monkeypatch):
    conf = _conf(monkeypatch, SAFETYNET_WORKERS="3", SAFETYNET_THREADS="2", SAFETYNET_BIND="0.0.0.0:9000")
    assert (conf.workers, conf.threads, conf.bind) == (3, 2, "0.0.0.0:9000")


def test_the_master_freezes_the_loaded_application_before_forking(monkeypatch):
    conf = _conf(monkeypatch)
    import safetynet.wsgi  # noqa: F401  (what preload_app imports in the master)

    try:
        conf.when_ready(server=None)
        assert gc.get_freeze_count() > 100_000  # Django, the views, the API and their libraries
    finally:
        gc.unfreeze()
