"""Background jobs of the procedure (huey): the outbox sweep, the daily deadline scan, and the
comparison's leads (after department uploads, and every night over the whole register).

A leaf: nothing imports this module (huey's consumer discovers it)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from safetynet.cases import notifications


@db_periodic_task(crontab(minute="*/5"))
def sweep_outbox() -> None:
    notifications.send_outbox()


@db_periodic_task(crontab(hour="7", minute="0"))
def daily_deadline_scan() -> None:
    from safetynet.cases.services import scan_deadlines

    scan_deadlines()


@db_periodic_task(crontab(minute="*/2"))
def compare_new_uploads() -> None:
    """Every two minutes: the rules of each newly loaded department file."""
    from safetynet.cases import comparison

    with lock_task("verification-compare"):
        comparison.compare_new_uploads()


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_comparison() -> None:
    """Every night: all rules (register-only rules included) against the latest data."""
    from safetynet.cases import comparison

    with lock_task("verification-compare"):
        comparison.compare_and_file_leads(trigger="schedule")
