"""Background jobs of the reports (huey): the nightly freezing of the monthly statistics whose
cutoff has passed, and every few minutes the provisional figures of the months still open
(reports/statistics.py). A leaf: nothing imports this module."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="3", minute="10"))
def freeze_statistics() -> None:
    from safetynet.reports import statistics

    with lock_task("statistics-freeze"):
        statistics.freeze_closed_months()


@db_periodic_task(crontab(minute=f"*/{settings.SAFETYNET_STATISTICS_REFRESH_MINUTES}"))
def refresh_provisional_statistics() -> None:
    """Every `SAFETYNET_STATISTICS_REFRESH_MINUTES` (default 10); readers accept twice that age."""
    from safetynet.reports import statistics

    with lock_task("statistics-provisional"):
        statistics.refresh_provisional()
