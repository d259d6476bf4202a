"""Reading and editing the official calendar."""

from __future__ import annotations

import datetime as dt

from django.db import DatabaseError, transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import PermissionDenied, ValidationFailed
from safetynet.core.statements import Statement
from safetynet.workdays import calendar
from safetynet.workdays.models import OfficialDay, OfficialYear

# Read by every page that shows a deadline: their SQL written once a process (core/statements.py).
_DAYS = Statement(lambda: OfficialDay.objects.order_by("date").values_list("date", "kind", "name"))
_YEARS = Statement(lambda: OfficialYear.objects.values_list("year", flat=True))


def work_calendar() -> calendar.WorkCalendar:
    try:
        days = [calendar.OfficialDay(*row) for row in _DAYS()]  # the three fields, no model instances
        years = _YEARS()
    except DatabaseError:
        # Not migrated yet (a fresh data directory): the package's notices and weekends still hold.
        days, years = [], []
    return calendar.WorkCalendar(days, years)


def set_official_day(
    *, user, date: dt.date, kind: str, name: str, notice: str, client: str = ""
) -> OfficialDay:
    if not user.can(Perm.MANAGE_USERS):  # system administrators keep the calendar
        raise PermissionDenied("只有系统管理员可以维护工作日历。")
    if kind not in OfficialDay.Kind.values:
        raise ValidationFailed("类型应为“放假”或“调休上班”。", field="kind")
    if not (notice or "").strip():
        raise ValidationFailed("请填写依据的国务院办公厅通知。", field="notice")
    with transaction.atomic():
        before = OfficialDay.objects.filter(date=date).first()
        day, _ = OfficialDay.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name.strip(), "notice": notice.strip()}
        )
        record_audit(
            actor=Actor.of(user, client),
            action="calendar.set_day",
            object_type="official_day",
            object_id=date.isoformat(),
            changes={
                "kind": [before.kind if before else None, kind],
                "name": [before.name if before else None, name],
            },
            reason=notice,
        )
    return day


def mark_official_year(*, user, year: int, notice: str, client: str = "") -> OfficialYear:
    if not user.can(Perm.MANAGE_USERS):
        raise PermissionDenied("只有系统管理员可以维护工作日历。")
    with transaction.atomic():
        row, _ = OfficialYear.objects.update_or_create(year=year, defaults={"notice": notice})
        record_audit(
            actor=Actor.of(user, client),
            action="calendar.mark_year",
            object_type="official_year",
            object_id=year,
            changes={"notice": [None, notice]},
        )
    return row
