"""The dashboard's refresh job (huey): every township's summary of this month and the last,
every ten minutes, so a county's or a province's dashboard reads stored rows
(dashboard/summary.py, docs/dashboard.md). A leaf: nothing imports this module."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*/10"))
def refresh_dashboard() -> None:
    from safetynet.dashboard import summary

    with lock_task("dashboard-refresh"):
        summary.refresh()
