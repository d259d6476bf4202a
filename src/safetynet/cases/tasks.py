"""Background jobs of the procedure (huey): message delivery and the daily deadline scan."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from safetynet.cases import notifications


@db_task()
def deliver_message(message_id: int) -> None:
    notifications.deliver(message_id)


@db_periodic_task(crontab(hour="7", minute="0"))
def daily_deadline_scan() -> None:
    from safetynet.cases.services import scan_deadlines

    scan_deadlines()
