"""Sittings of the township review group (乡镇低收入人口审核确认领导小组, seed 二(二)2):
`/api/v1/sittings…` and `/api/v1/cases/{id}/sitting`.

A shell over `cases.services.sitting` and the sitting selectors. A member opens a sitting with
who attended, puts cases on its agenda, records each case's decision and the vote; only the
group's leader confirms, and only then do the passed decisions take effect. A sitting of another
township is a 404 like a missing one; a stale `version` is a 409 `stale_version`; a quorum below
`procedure.review_group_quorum` is a 400 on `attendee_ids`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from safetynet.api.auth import client_of
from safetynet.api.cases.schemas import DecisionValuesIn
from safetynet.api.schemas import ERRORS, In
from safetynet.cases import selectors, services
from safetynet.cases.models import Sitting, SittingItem
from safetynet.core.errors import NotFound
from safetynet.core.glossary import CATEGORY_LABELS
from safetynet.core.masking import mask_name

router = Router(tags=["sittings"])


# ---- schemas --------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str
    name: str


class AttendeeOut(Schema):
    id: int
    name: str
    role: str
    role_label: str


class DecisionOut(Schema):
    id: int
    outcome: str
    category: str
    category_label: str
    monitoring_marked: bool
    monitoring_type: str
    benefit_monthly: str
    publishes: bool
    overridden: bool
    override_reason: str
    assessment_id: int
    effective: bool


class ItemOut(Schema):
    id: int
    sitting_id: int
    case_id: int
    case_reference: str
    case_state: str
    applicant_name: str
    village: AreaOut
    round: int
    action: str = Field(..., description="confirm / override / refuse；空为尚未录入审核确认意见")
    action_label: str
    reason: str
    decision: DecisionOut | None
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    status: str = Field(..., description="pending / passed / failed / effective / carried_over")
    status_label: str


class SittingOut(Schema):
    id: int
    township: AreaOut
    held_on: dt.date
    status: str = Field(..., description="open（待组长确认）/ confirmed（组长已确认）")
    status_label: str
    version: int = Field(..., description="会议版本号（乐观锁）：组长确认时提交所见的版本")
    attendees: list[AttendeeOut]
    quorum: int = Field(..., description="最少出席人数（procedure.review_group_quorum）")
    has_quorum: bool
    notes: str
    opened_by: str
    confirmed_by: str | None
    confirmed_on: dt.date | None
    items: list[ItemOut]


class SittingRowOut(Schema):
    id: int
    township: AreaOut
    held_on: dt.date
    status: str
    status_label: str
    version: int
    attendee_count: int
    case_count: int


class SittingListOut(Schema):
    items: list[SittingRowOut]


class SittingIn(In):
    held_on: dt.date
    attendee_ids: list[int] = Field(..., description="出席的审核确认小组成员（用户id，含组长）")
    township: str = Field("", pattern=r"^(\d{9})?$", description="乡镇代码；乡镇用户可省略")
    notes: str = ""


class AttendanceIn(In):
    version: int
    attendee_ids: list[int]


class AgendaIn(In):
    case_id: int


class SittingDecisionIn(In):
    case_id: int
    version: int = Field(..., description="读取时的案件版本号（乐观锁）")
    action: Literal["confirm", "override", "refuse"]
    assessment_id: int | None = Field(None, description="所依据的测算（默认为当前测算）")
    values: DecisionValuesIn | None = None
    reason: str = ""
    votes_for: int | None = Field(None, ge=0, description="赞成票；与反对、弃权票合计等于出席人数")
    votes_against: int | None = Field(None, ge=0)
    abstentions: int | None = Field(None, ge=0)


class VoteIn(In):
    case_id: int
    version: int = Field(..., description="读取时的案件版本号（乐观锁）")
    votes_for: int = Field(..., ge=0)
    votes_against: int = Field(..., ge=0)
    abstentions: int = Field(0, ge=0)


class ConfirmIn(In):
    version: int = Field(..., description="组长所见的会议版本号")


# ---- rendering ------------------------------------------------------------------------------


def _area(a) -> dict:
    return {"code": a.code, "name": a.name}


def _name(u) -> str:
    return (u.display_name or u.username) if u else ""


def _decision_out(d) -> dict | None:
    if d is None:
        return None
    return {
        "id": d.pk,
        "outcome": d.outcome,
        "category": d.category,
        "category_label": CATEGORY_LABELS.get(d.category, d.category),
        "monitoring_marked": d.monitoring_marked,
        "monitoring_type": d.monitoring_type,
        "benefit_monthly": str(d.benefit_monthly),
        "publishes": d.publishes,
        "overridden": d.overridden,
        "override_reason": d.override_reason,
        "assessment_id": d.assessment_id,
        "effective": d.effective,
    }


def item_out(item: SittingItem) -> dict:
    return {
        "id": item.pk,
        "sitting_id": item.sitting_id,
        "case_id": item.case_id,
        "case_reference": item.case.reference,
        "case_state": item.case.state,
        "applicant_name": mask_name(item.case.applicant_name),
        "village": _area(item.case.household.village),
        "round": item.round,
        "action": item.action,
        "action_label": item.get_action_display() if item.action else "尚未录入",
        "reason": item.reason,
        "decision": _decision_out(item.decision),
        "votes_for": item.votes_for,
        "votes_against": item.votes_against,
        "abstentions": item.abstentions,
        "status": item.status,
        "status_label": item.get_status_display(),
    }


def sitting_out(sitting: Sitting) -> dict:
    people = list(sitting.attendees.order_by("role", "username"))
    need = services.quorum(sitting.township, sitting.held_on)
    return {
        "id": sitting.pk,
        "township": _area(sitting.township),
        "held_on": sitting.held_on,
        "status": sitting.status,
        "status_label": sitting.get_status_display(),
        "version": sitting.version,
        "attendees": [
            {"id": u.pk, "name": _name(u), "role": u.role, "role_label": u.role_label} for u in people
        ],
        "quorum": need,
        "has_quorum": len(people) >= need,
        "notes": sitting.notes,
        "opened_by": _name(sitting.opened_by),
        "confirmed_by": _name(sitting.confirmed_by) or None,
        "confirmed_on": sitting.confirmed_on,
        "items": [item_out(i) for i in selectors.sitting_agenda(sitting)],
    }


def _detail(request, sitting_id) -> dict:
    return sitting_out(selectors.get_sitting(request.auth, sitting_id))


# ---- endpoints ------------------------------------------------------------------------------


@router.get("/sittings", response={200: SittingListOut, **ERRORS}, summary="审核确认小组会议列表")
def list_sittings(
    request, township: str = "", status: Literal["", "open", "confirmed"] = ""
) -> SittingListOut:
    rows = selectors.township_sittings(request.auth, township=township, status=status)[:200]
    return {
        "items": [
            {
                "id": s.pk,
                "township": _area(s.township),
                "held_on": s.held_on,
                "status": s.status,
                "status_label": s.get_status_display(),
                "version": s.version,
                "attendee_count": len(s.attendees.all()),
                "case_count": len(s.items.all()),
            }
            for s in rows
        ]
    }


@router.post(
    "/sittings",
    response={201: SittingOut, **ERRORS},
    summary="召开审核确认小组会议（出席人员不少于法定人数）",
)
def open_sitting(request, payload: SittingIn):
    sitting = services.open_sitting(
        user=request.auth,
        township=payload.township,
        held_on=payload.held_on,
        attendee_ids=payload.attendee_ids,
        notes=payload.notes,
        client=client_of(request),
    )
    return Status(201, _detail(request, sitting.pk))


@router.get(
    "/sittings/{sitting_id}", response={200: SittingOut, **ERRORS}, summary="会议详情：出席、议程、表决"
)
def sitting_detail(request, sitting_id: int):
    return _detail(request, sitting_id)


@router.post(
    "/sittings/{sitting_id}/attendance", response={200: SittingOut, **ERRORS}, summary="录入出席人员"
)
def attendance(request, sitting_id: int, payload: AttendanceIn):
    services.record_attendance(
        user=request.auth,
        sitting=sitting_id,
        expected_version=payload.version,
        attendee_ids=payload.attendee_ids,
        client=client_of(request),
    )
    return _detail(request, sitting_id)


@router.post("/sittings/{sitting_id}/agenda", response={200: SittingOut, **ERRORS}, summary="列入会议议程")
def agenda(request, sitting_id: int, payload: AgendaIn):
    services.add_to_sitting(
        user=request.auth, sitting=sitting_id, case=payload.case_id, client=client_of(request)
    )
    return _detail(request, sitting_id)


@router.post(
    "/sittings/{sitting_id}/decisions",
    response={200: SittingOut, **ERRORS},
    summary="录入一个案件的审核确认意见及表决结果（待组长确认后生效）",
)
def decision(request, sitting_id: int, payload: SittingDecisionIn):
    services.record_sitting_decision(
        user=request.auth,
        sitting=sitting_id,
        case=payload.case_id,
        expected_version=payload.version,
        action=payload.action,
        assessment_id=payload.assessment_id,
        values=payload.values.model_dump() if payload.values else None,
        reason=payload.reason,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        abstentions=payload.abstentions,
        client=client_of(request),
    )
    return _detail(request, sitting_id)


@router.post("/sittings/{sitting_id}/votes", response={200: SittingOut, **ERRORS}, summary="录入表决结果")
def vote(request, sitting_id: int, payload: VoteIn):
    services.record_sitting_vote(
        user=request.auth,
        sitting=sitting_id,
        case=payload.case_id,
        expected_version=payload.version,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        abstentions=payload.abstentions,
        client=client_of(request),
    )
    return _detail(request, sitting_id)


@router.post(
    "/sittings/{sitting_id}/confirm",
    response={200: SittingOut, **ERRORS},
    summary="组长确认会议：表决通过的决定生效，案件进入下一环节",
)
def confirm(request, sitting_id: int, payload: ConfirmIn):
    services.confirm_sitting(
        user=request.auth, sitting=sitting_id, expected_version=payload.version, client=client_of(request)
    )
    return _detail(request, sitting_id)


@router.get(
    "/cases/{case_id}/sitting",
    response={200: ItemOut, **ERRORS},
    summary="案件在审核确认小组会议议程上的待生效决定",
)
def case_sitting(request, case_id: int):
    item = selectors.live_item_of(selectors.get_case(request.auth, case_id))
    if item is None:
        raise NotFound("该案件不在任何待确认会议的议程上。", code="sitting_item_not_found")
    return item_out(item)
