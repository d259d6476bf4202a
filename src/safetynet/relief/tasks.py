"""Relief's periodic job (a leaf: nothing imports it)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="5"))
def relief_deadline_scan() -> None:
    from safetynet.relief.deadlines import scan_relief_deadlines

    scan_relief_deadlines()
