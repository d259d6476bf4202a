"""What a dashboard asks, parsed once for the page, the API and the drill-down lists: the month
shown (any past month, or the current one up to today), an optional township under the viewer's
own area and an optional category. A future month, a value that is not a category: a
field-named error; a township outside the viewer's area: not found, like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.registry.models import Area
from safetynet.reports.rules import Month
from safetynet.rosters.query import CATEGORIES

# How many months the monthly series (flows, money, leads) show, ending with the month shown.
SERIES_MONTHS = 12


@dataclass(frozen=True)
class DashboardQuery:
    month: Month
    day: dt.date  # the day the stock is counted on: the month's last day, or today
    cutoff: dt.datetime  # events are counted up to the end of `day` (exclusive)
    township: Area | None = None
    category: str = ""

    @property
    def current(self) -> bool:
        return self.day == clock.today()

    @property
    def months(self) -> list[Month]:
        """The series' months, oldest first, ending with the month shown."""
        out = [self.month]
        while len(out) < SERIES_MONTHS:
            out.insert(0, out[0].prev())
        return out

    def echo(self) -> dict:
        return {
            "month": str(self.month),
            "township": self.township.code if self.township else "",
            "category": self.category,
        }


def require_dashboard(user) -> None:
    if not user or not user.is_authenticated or not user.can(Perm.VIEW_DASHBOARD) or not user.area_id:
        raise PermissionDenied("您的角色无权查看领导小组驾驶舱。")


def townships_in_scope(user) -> QuerySet[Area]:
    """The townships under the viewer's own area (a township's roles: their own)."""
    require_dashboard(user)
    return Area.objects.filter(level=Area.Level.TOWNSHIP, code__startswith=user.area.code).order_by("code")


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, in the county's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def parse_month_text(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise ValidationFailed(
            "月份格式应为 YYYY-MM，如 2026-05。", code="invalid_month", field="month"
        ) from None


def parse(user, params: Mapping[str, str]) -> DashboardQuery:
    """`params`: month (YYYY-MM, default the current month), township (code), category."""

    def get(name: str) -> str:
        value = params.get(name)
        return "" if value is None else str(value).strip()

    require_dashboard(user)
    today = clock.today()
    month = parse_month_text(get("month")) if get("month") else Month.of(today)
    if month.first > today:
        raise ValidationFailed(
            f"{month.label()}尚未到来：驾驶舱只能查看本月及以前的月份。", code="future_month", field="month"
        )
    township = None
    if get("township"):
        township = townships_in_scope(user).filter(code=get("township")).first()
        if township is None:
            raise NotFound(
                "未找到该乡镇，或不在您的管辖范围内。", code="township_not_found", field="township"
            )
    category = get("category")
    if category and category not in CATEGORIES:
        raise ValidationFailed(
            f"认定类别“{category}”不存在，可选：{'、'.join(CATEGORIES.values())}。",
            code="invalid_choice",
            field="category",
        )
    return for_month(month, township=township, category=category)


def for_month(month: Month, *, township: Area | None = None, category: str = "") -> DashboardQuery:
    """The query of a month up to today: its last day, or today for the current month."""
    day = min(month.end - dt.timedelta(days=1), clock.today())
    return DashboardQuery(
        month=month,
        day=day,
        cutoff=start_of(day + dt.timedelta(days=1)),
        township=township,
        category=category,
    )
