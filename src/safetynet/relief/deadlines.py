"""The daily scan of 先行救助 paperwork deadlines: due-soon and overdue items in the inbox of the
township's clerks (the cases' inbox and its idempotent keys, as `cases.services.scan_deadlines`)."""

from __future__ import annotations

import datetime as dt

from safetynet.accounts.roles import Role
from safetynet.cases import notifications
from safetynet.cases.selectors import due_soon_working_days
from safetynet.core import clock
from safetynet.registry import selectors as registry_selectors
from safetynet.relief.models import ReliefApplication, ReliefStatus
from safetynet.workdays.services import work_calendar


def scan_relief_deadlines(on: dt.date | None = None) -> dict:
    """One inbox item per application, kind and deadline; repeated scans add nothing."""
    on = on or clock.today()
    soon = work_calendar().add_working_days(on, due_soon_working_days(on)).date
    counts = {"due": 0, "overdue": 0}
    rows = ReliefApplication.objects.filter(status=ReliefStatus.PAID_FIRST, paperwork_due__lte=soon)
    for app in rows.select_related("township", "area"):
        kind = "overdue" if app.paperwork_due < on else "due"
        title = (
            f"临时救助{app.reference}：先行救助手续已超过补办时限{app.paperwork_due:%m月%d日}"
            if kind == "overdue"
            else f"临时救助{app.reference}：先行救助手续须于{app.paperwork_due:%m月%d日}前补齐"
        )
        users = registry_selectors.users_reaching(app.area.code, [Role.TOWNSHIP_CLERK.value])
        counts[kind] += notifications.notify_users(
            users, case=None, kind=kind, title=title, key=f"relief:{app.pk}:{kind}:{app.paperwork_due}"
        )
    return counts
