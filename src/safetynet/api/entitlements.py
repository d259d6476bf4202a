"""The entitlement timeline: a household's rows, and who was entitled on a day in an area.

Reads only; the rows are written by the case services when a decision takes effect. Scoped like
every read (`entitlements.selectors`): a household outside the caller's area answers 404."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from safetynet.api.auth import client_of
from safetynet.api.cases.change_schemas import EntitlementOut
from safetynet.api.cases.render import entitlement_out
from safetynet.api.schemas import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, MAX_OFFSET
from safetynet.core import clock
from safetynet.core.masking import mask_name
from safetynet.core.paging import window
from safetynet.entitlements import selectors, services
from safetynet.entitlements.models import SupportMode

router = Router(tags=["entitlements"])


class EntitlementMemberOut(Schema):
    person_id: int
    name: str = Field(..., description="姓名（脱敏）")
    category: str
    care_tier: str
    support_mode: str = Field(
        ..., description="特困供养方式：centralised 集中供养 / dispersed 分散供养 / 空 未登记或非特困"
    )
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
            "support_mode": m.support_mode,
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
        for e in window(qs, offset, limit)
    ]
    return {"on": day, "count": qs.count(), "items": items}


class SupportModeIn(Schema):
    person_id: int = Field(..., description="特困人员的人员编号")
    support_mode: SupportMode = Field(..., description="centralised 集中供养 / dispersed 分散供养")
    on: dt.date = Field(..., description="自何日起")
    reason: str = Field(..., min_length=1, max_length=200, description="理由，如入住供养服务机构")


@router.post(
    "/households/{int:household_id}/entitlements/support-mode",
    response={200: TimelineOut, **ERRORS},
    summary="登记特困人员供养方式（集中供养 / 分散供养）",
)
def record_support_mode(request, household_id: int, payload: SupportModeIn):
    services.record_support_mode(
        user=request.auth,
        household=household_id,
        person_id=payload.person_id,
        mode=payload.support_mode,
        on=payload.on,
        reason=payload.reason,
        client=client_of(request),
    )
    return household_timeline(request, household_id)
