"""Reads of the visits: a household's visits, one visit, and the list of visits due — every
recipient or monitored household in the user's reach with its last visit and the day the next one
is due (`visit.interval_days.*`, by the row in force: 特困 at home or of unrecorded support mode,
特困 all in a care institution (集中供养), 低保, monitored, other)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Subquery

from safetynet.assessments import services as assessments
from safetynet.core import clock
from safetynet.core.errors import NotFound
from safetynet.entitlements import selectors as entitlements
from safetynet.entitlements.models import EntitlementMember, SupportMode
from safetynet.registry import selectors as registry
from safetynet.visits.models import Visit, VisitPhoto

DUE_SOON_DAYS = 7


def visits_of(user, household):
    hh = registry.get_household(user, getattr(household, "pk", household))
    return Visit.objects.filter(household=hh).select_related("officer", "lead").prefetch_related("photos")


def get_visit(user, pk) -> Visit:
    visit = registry.in_reach(Visit.objects.all(), user, "household__village__code").filter(pk=pk).first()
    if visit is None:
        raise NotFound("未找到该探访记录。", field="visit")
    return visit


def get_photo(user, visit_pk, photo_pk) -> VisitPhoto:
    visit = get_visit(user, visit_pk)
    photo = visit.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise NotFound("未找到该照片。", field="photo")
    return photo


def interval_key(row) -> str:
    """`row` is annotated with `tekun_at_home`: a 特困 member not recorded as 集中供养."""
    if row.tekun_at_home:
        return "tekun_dispersed"
    if row.category == "tekun":
        return "tekun_centralised"
    if row.category in ("dibao", "individual_dibao"):
        return "dibao"
    if row.monitoring_marked:
        return "monitored"
    return "other"


@dataclass(frozen=True)
class Due:
    row: object  # the entitlement row in force
    last_visit: dt.date | None
    due_on: dt.date
    interval_days: int

    @property
    def status(self) -> str:
        today = clock.today()
        if self.due_on < today:
            return "overdue"
        if (self.due_on - today).days <= DUE_SOON_DAYS:
            return "due_soon"
        return "ok"

    @property
    def overdue_days(self) -> int:
        return max(0, (clock.today() - self.due_on).days)


def due_list(user, *, village: str = "") -> list[Due]:
    """Every household with a row in force today in the user's reach (or `village`), sorted by the
    day its next visit is due (overdue first)."""
    today = clock.today()
    last = Visit.objects.filter(household=OuterRef("household")).order_by().values("household")
    rows = (
        entitlements.entitled_on(user, today, village)
        .annotate(
            last_visit=Subquery(last.annotate(d=Max("visited_on")).values("d")[:1]),
            tekun_at_home=Exists(
                EntitlementMember.objects.filter(entitlement=OuterRef("pk"), category="tekun").exclude(
                    support_mode=SupportMode.CENTRALISED
                )
            ),
        )
        .select_related("household__village__parent", "household__head")
    )
    params: dict[str, object] = {}
    out = []
    for row in rows:
        county = row.household.village.code[:6]
        if county not in params:
            params[county] = assessments.parameter_set(county).on(today)
        days = int(params[county][f"visit.interval_days.{interval_key(row)}"])
        since = row.last_visit or row.valid_from
        out.append(Due(row, row.last_visit, since + dt.timedelta(days=days), days))
    out.sort(key=lambda d: (d.due_on, d.row.household_id))
    return out
