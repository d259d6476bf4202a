"""The entitlement timeline: a household's rows, and who was entitled on a day in an area.

Reads only; the rows are written by the case services when a decision takes effect. Scoped like
every read (`entitlements.selectors`): a household outside the caller's area answers 404."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from safetynet.api.cases.change_schemas import EntitlementOut
from safetynet.api.cases.render import entitlement_out
from safetynet.api.schemas import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, MAX_OFFSET
from safetynet.core import clock
from safetynet.core.masking import mask_name
from safetynet.entitlements import selectors

router = Router(tags=["entitlements"])


class EntitlementMemberOut(Schema):
    person_id: int
    name: str = Field(..., description="姓名（脱敏）")
    category: str
    care_tier: str
    benefit_monthly: str


class TimelineRowOut(EntitlementOut):
    members: list[EntitlementMemberOut]


class TimelineOut(Schema):
    household_id: int
    items: list[TimelineRowOut]


class EntitledRowOut(EntitlementOut):
    household_id: int
    village: str
    village_name: str
    head_name: str = Field(..., description="户主姓名（脱敏）")


class EntitledListOut(Schema):
    on: dt.date
    count: int
    items: list[EntitledRowOut]


def _members(e) -> list[dict]:
    return [
        {
            "person_id": m.person_id,
            "name": mask_name(m.person.name),
            "category": m.category,
            "care_tier": m.care_tier,
            "benefit_monthly": str(m.benefit_monthly),
        }
        for m in e.members.all()
    ]


@router.get(
    "/households/{int:household_id}/entitlements",
    response={200: TimelineOut, **ERRORS},
    summary="户的待遇时间轴",
)
def household_timeline(request, household_id: int):
    rows = selectors.timeline(request.auth, household_id)
    return {
        "household_id": household_id,
        "items": [{**entitlement_out(e), "members": _members(e)} for e in rows],
    }


@router.get("/entitlements", response={200: EntitledListOut, **ERRORS}, summary="某日享受待遇的户（分页）")
def entitled(
    request,
    on: dt.date | None = None,
    area: str | None = Query(None, pattern=r"^\d{6,12}$", description="县、乡镇或村的区划代码"),
    category: str | None = Query(None, max_length=20, description="认定类别代码"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    day = on or clock.today()
    qs = selectors.entitled_on(request.auth, day, area or "")
    if category:
        qs = qs.filter(category=category)
    qs = qs.order_by("household__village__code", "household_id")
    items = [
        {
            **entitlement_out(e),
            "household_id": e.household_id,
            "village": e.household.village.code,
            "village_name": e.household.village.name,
            "head_name": mask_name(e.household.head.name) if e.household.head_id else "",
        }
        for e in qs[offset : offset + limit]
    ]
    return {"on": day, "count": qs.count(), "items": items}
