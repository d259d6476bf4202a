"""Background jobs of the reports (huey): the nightly freezing of the monthly statistics whose
cutoff has passed (reports/statistics.py). A leaf: nothing imports this module."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="3", minute="10"))
def freeze_statistics() -> None:
    from safetynet.reports import statistics

    with lock_task("statistics-freeze"):
        statistics.freeze_closed_months()
