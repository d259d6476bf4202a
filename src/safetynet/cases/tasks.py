"""Background jobs of the procedure (huey): the outbox sweep and the daily deadline scan.

A leaf: nothing imports this module (huey's consumer discovers it)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from safetynet.cases import notifications


@db_periodic_task(crontab(minute="*/5"))
def sweep_outbox() -> None:
    notifications.send_outbox()


@db_periodic_task(crontab(hour="7", minute="0"))
def daily_deadline_scan() -> None:
    from safetynet.cases.services import scan_deadlines

    scan_deadlines()
