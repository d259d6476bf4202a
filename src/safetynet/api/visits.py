"""巡访探视 through the API: `/api/v1/visits…` (docs/visits.md). The visits due in the caller's
reach, a household's visits, one visit, and recording one (multipart: the fields and up to six
photos; `risk_found=true` raises a grassroots lead with the visit as evidence)."""

from __future__ import annotations

import datetime as dt
import json

from ninja import File, Form, Router, Schema, UploadedFile
from pydantic import Field

from safetynet.api.auth import client_of
from safetynet.api.schemas import ERRORS
from safetynet.core.errors import ValidationFailed
from safetynet.visits import selectors, services

router = Router(tags=["visits"])


class VisitOut(Schema):
    id: int
    household_id: int
    visited_on: dt.date
    officer: str
    seen: list[int] = Field(..., description="见到的家庭成员（人员编号）")
    checklist: dict[str, str] = Field(
        ..., description="两不愁三保障核查：ok 有保障 / risk 存在问题 / na 不涉及"
    )
    notes: str
    risk_found: bool
    lead: str | None = Field(None, description="上报的风险线索编号")
    photos: int


class DueOut(Schema):
    household_id: int
    village: str
    category: str
    monitoring_marked: bool
    last_visit: dt.date | None
    due_on: dt.date
    interval_days: int
    status: str = Field(..., description="overdue 已逾期 / due_soon 7天内到期 / ok")


def _out(v) -> dict:
    return {
        "id": v.pk,
        "household_id": v.household_id,
        "visited_on": v.visited_on,
        "officer": v.officer.username,
        "seen": v.seen,
        "checklist": v.checklist,
        "notes": v.notes,
        "risk_found": v.risk_found,
        "lead": v.lead.reference if v.lead_id else None,
        "photos": v.photos.count(),
    }


@router.get("/visits/due", response={200: list[DueOut], **ERRORS}, summary="应探访名单（本辖区，逾期在前）")
def due(request, village: str = ""):
    return [
        {
            "household_id": d.row.household_id,
            "village": d.row.household.village.code,
            "category": d.row.category,
            "monitoring_marked": d.row.monitoring_marked,
            "last_visit": d.last_visit,
            "due_on": d.due_on,
            "interval_days": d.interval_days,
            "status": d.status,
        }
        for d in selectors.due_list(request.auth, village=village)
    ]


@router.get(
    "/households/{int:household_id}/visits",
    response={200: list[VisitOut], **ERRORS},
    summary="一户的探访记录",
)
def of_household(request, household_id: int):
    return [_out(v) for v in selectors.visits_of(request.auth, household_id)]


@router.get("/visits/{int:visit_id}", response={200: VisitOut, **ERRORS}, summary="一条探访记录")
def one(request, visit_id: int):
    return _out(selectors.get_visit(request.auth, visit_id))


@router.post(
    "/households/{int:household_id}/visits",
    response={201: VisitOut, **ERRORS},
    summary="记录探访（multipart；risk_found=true 时上报基层排查线索）",
    description='seen：见到的成员人员编号，逗号分隔；checklist：JSON，如 {"food":"ok","clothing":"ok",…}'
    "（ok 有保障 / risk 存在问题 / na 不涉及，六项必填）；photos：JPG/PNG，最多6张。",
)
def record(
    request,
    household_id: int,
    visited_on: Form[dt.date],
    seen: Form[str] = "",
    checklist: Form[str] = "{}",
    notes: Form[str] = "",
    risk_found: Form[bool] = False,
    photos: File[list[UploadedFile]] = None,
):
    try:
        items = json.loads(checklist or "{}")
    except ValueError:
        raise ValidationFailed("核查结果应为 JSON 对象。", field="checklist") from None
    if not isinstance(items, dict):
        raise ValidationFailed("核查结果应为 JSON 对象。", field="checklist")
    visit = services.record_visit(
        user=request.auth,
        household=household_id,
        visited_on=visited_on,
        seen=[s for s in (seen or "").replace("，", ",").split(",") if s.strip()],
        checklist=items,
        notes=notes,
        risk_found=risk_found,
        photos=photos or [],
        client=client_of(request),
    )
    return 201, _out(visit)
