"""The household assistance plan (帮扶计划) and its referrals: `/api/v1/households/{id}/plan…`,
`/api/v1/measures/{id}…`, `/api/v1/referrals…`, `/api/v1/assistance/exports/…`.

A shell over `assistance.services`, `assistance.feedback`, `assistance.exports` and
`assistance.selectors` (docs/assistance.md). A household outside the user's reach, or a referral
not made to the liaison's department, is a 404 like a missing one; a step out of order is a 409.
Names and ID numbers are masked in every answer; the exports show them in full only to a role that
may unmask, and are audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from safetynet.api.auth import client_of
from safetynet.api.schemas import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, MAX_OFFSET, In, _choices
from safetynet.assistance import batch, exports, feedback, selectors, services
from safetynet.assistance.models import Measure, MeasureStatus
from safetynet.core.errors import ValidationFailed
from safetynet.core.glossary import DEPARTMENT_LABELS, MEASURE_KIND_LABELS, MEASURE_STATUS_LABELS
from safetynet.core.masking import mask_id_number, mask_name
from safetynet.core.paging import window

router = Router(tags=["assistance"])
CSV = "text/csv; charset=utf-8"

KindChoice = _choices(MEASURE_KIND_LABELS)
DepartmentChoice = _choices(DEPARTMENT_LABELS)
FeedbackStatus = _choices(["in_progress", "done", "declined"])


class MeasureOut(Schema):
    id: int
    household_id: int
    village: str
    person_id: int | None
    person_name: str = Field(..., description="姓名（脱敏）")
    person_id_number: str = Field(..., description="身份证号码（脱敏）")
    kind: str
    kind_label: str
    department: str
    department_label: str
    status: str
    status_label: str
    description: str
    amount: Decimal | None = Field(None, description="金额（元）")
    charity_name: str
    charity_gave: str
    rule: str = Field(..., description="建议规则（乡镇录入的为空）")
    clause: str
    reason: str
    suggested_on: dt.date | None
    referred_on: dt.date | None
    started_on: dt.date | None
    finished_on: dt.date | None
    decline_reason: str


def measure_out(m: Measure) -> dict:
    p = m.person
    v = m.household.village
    return {
        "id": m.pk,
        "household_id": m.household_id,
        "village": f"{v.parent.name if v.parent_id else ''}{v.name}",
        "person_id": m.person_id,
        "person_name": mask_name(p.name) if p else "",
        "person_id_number": mask_id_number(p.id_number) if p else "",
        "kind": m.kind,
        "kind_label": MEASURE_KIND_LABELS[m.kind],
        "department": m.department,
        "department_label": DEPARTMENT_LABELS[m.department],
        "status": m.status,
        "status_label": MEASURE_STATUS_LABELS[m.status],
        "description": m.description,
        "amount": m.amount,
        "charity_name": m.charity_name,
        "charity_gave": m.charity_gave,
        "rule": m.rule,
        "clause": m.clause,
        "reason": m.reason,
        "suggested_on": m.suggested_on,
        "referred_on": m.referred_on,
        "started_on": m.started_on,
        "finished_on": m.finished_on,
        "decline_reason": m.decline_reason,
    }


def _fresh(m: Measure) -> dict:
    return measure_out(Measure.objects.select_related("household__village__parent", "person").get(pk=m.pk))


class PlanOut(Schema):
    household_id: int
    measures: list[MeasureOut]


class SuggestIn(In):
    on: dt.date | None = Field(None, description="按该日在享待遇计算，默认今天")


class MeasureIn(In):
    kind: KindChoice  # type: ignore[valid-type]
    person_id: int | None = None
    department: DepartmentChoice | None = None  # type: ignore[valid-type]
    amount: Decimal | None = None
    description: str = ""
    charity_name: str = ""
    charity_gave: str = ""


class AcceptIn(In):
    department: DepartmentChoice | None = None  # type: ignore[valid-type]
    amount: Decimal | None = None
    description: str | None = None


class DeclineIn(In):
    reason: str


class FeedbackIn(In):
    status: FeedbackStatus  # type: ignore[valid-type]
    on: dt.date | None = None
    amount: Decimal | None = None
    note: str = ""


class FeedbackOut(Schema):
    id: int
    measure: MeasureOut


class PageOut(Schema):
    count: int
    items: list[MeasureOut]


class UploadErrorOut(Schema):
    row: int
    column: str
    message: str


class FeedbackUploadOut(Schema):
    id: int
    department: str
    filename: str
    status: str
    rows_total: int
    errors: list[UploadErrorOut]


def _amount(value) -> str | None:
    return None if value is None else str(value)


@router.get("/households/{household_id}/plan", response={200: PlanOut, **ERRORS}, summary="户帮扶计划")
def plan(request, household_id: int):
    hh, measures = selectors.plan_of(request.auth, household_id)
    return {"household_id": hh.pk, "measures": [measure_out(m) for m in measures]}


@router.post(
    "/households/{household_id}/plan/suggest", response={200: PlanOut, **ERRORS}, summary="按规则生成帮扶建议"
)
def suggest(request, household_id: int, body: SuggestIn | None = None):
    created = services.generate_suggestions(
        user=request.auth, household=household_id, on=body.on if body else None, client=client_of(request)
    )
    return {"household_id": household_id, "measures": [_fresh(m) for m in created]}


class AreaSuggestIn(In):
    area: str = Field(..., pattern=r"^\d{6}(\d{3})?(\d{3})?$", description="乡镇（9位）或村（12位）代码")
    on: dt.date | None = None


class AreaSuggestOut(Schema):
    households: int
    in_plan: int = Field(..., description="有帮扶计划的户（在享待遇、监测对象或脱贫户）")
    measures: int = Field(..., description="新生成的建议数")


@router.post(
    "/assistance/suggest", response={200: AreaSuggestOut, **ERRORS}, summary="为一个乡镇或村批量生成帮扶建议"
)
def suggest_area(request, body: AreaSuggestIn):
    return batch.suggest_for_area(
        user=request.auth, area_code=body.area, on=body.on, client=client_of(request)
    )


@router.post(
    "/households/{household_id}/plan/measures", response={201: MeasureOut, **ERRORS}, summary="录入帮扶措施"
)
def add(request, household_id: int, body: MeasureIn):
    m = services.add_measure(
        user=request.auth,
        household=household_id,
        person=body.person_id,
        kind=body.kind,
        department=body.department,
        amount=_amount(body.amount),
        description=body.description,
        charity_name=body.charity_name,
        charity_gave=body.charity_gave,
        client=client_of(request),
    )
    return Status(201, _fresh(m))


@router.get("/measures/{measure_id}", response={200: MeasureOut, **ERRORS}, summary="帮扶措施")
def get_measure(request, measure_id: int):
    return measure_out(selectors.get_measure(request.auth, measure_id))


@router.post("/measures/{measure_id}/accept", response={200: MeasureOut, **ERRORS}, summary="确认建议并转介")
def accept(request, measure_id: int, body: AcceptIn | None = None):
    body = body or AcceptIn()
    m = services.accept_measure(
        user=request.auth,
        measure=measure_id,
        department=body.department,
        amount=_amount(body.amount),
        description=body.description,
        client=client_of(request),
    )
    return _fresh(m)


@router.patch("/measures/{measure_id}", response={200: MeasureOut, **ERRORS}, summary="修改帮扶措施")
def edit(request, measure_id: int, body: AcceptIn):
    m = services.edit_measure(
        user=request.auth,
        measure=measure_id,
        department=body.department,
        amount=_amount(body.amount),
        description=body.description,
        client=client_of(request),
    )
    return _fresh(m)


@router.post("/measures/{measure_id}/decline", response={200: MeasureOut, **ERRORS}, summary="不予实施")
def decline(request, measure_id: int, body: DeclineIn):
    m = services.decline_measure(
        user=request.auth, measure=measure_id, reason=body.reason, client=client_of(request)
    )
    return _fresh(m)


@router.get("/referrals", response={200: PageOut, **ERRORS}, summary="转介清单（部门联络员：本部门）")
def referrals(
    request,
    department: str = "",
    status: str = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
    offset: int = Query(0, ge=0, le=MAX_OFFSET),  # noqa: B008
):
    if department and department not in DEPARTMENT_LABELS:
        raise ValidationFailed("部门代码无效。", field="department")
    qs = selectors.referrals_for(request.auth, department or None)
    if status:
        if status not in MeasureStatus.values:
            raise ValidationFailed("状态代码无效。", field="status")
        qs = qs.filter(status=status)
    return {"count": qs.count(), "items": [measure_out(m) for m in window(qs, offset, limit)]}


@router.post(
    "/referrals/{measure_id}/feedback", response={201: FeedbackOut, **ERRORS}, summary="反馈办理情况"
)
def report(request, measure_id: int, body: FeedbackIn):
    fb = services.report_feedback(
        user=request.auth,
        measure=measure_id,
        status=body.status,
        on=body.on,
        amount=_amount(body.amount),
        note=body.note,
        channel="api",
        client=client_of(request),
    )
    return Status(201, {"id": fb.pk, "measure": _fresh(fb.measure)})


@router.post(
    "/referrals/feedback-files",
    response={201: FeedbackUploadOut, 422: FeedbackUploadOut, **ERRORS},
    summary="上传反馈文件（全部通过才导入）",
)
def upload(request, file: File[UploadedFile], department: Form[str] = ""):
    u = feedback.upload_feedback_file(
        user=request.auth,
        data=file.read(feedback.MAX_BYTES + 1),
        filename=file.name or "",
        department=department or None,
        client=client_of(request),
    )
    body = {
        "id": u.pk,
        "department": u.department,
        "filename": u.filename,
        "status": u.status,
        "rows_total": u.rows_total,
        "errors": u.errors,
    }
    return Status(201 if u.status == "accepted" else 422, body)


def _csv(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/assistance/exports/housing-key-groups.csv", response={**ERRORS}, summary="住建六类重点对象名单")
def export_housing(request, on: dt.date | None = None):
    from safetynet.core import clock

    day = on or clock.today()
    data = exports.housing_key_groups(user=request.auth, on=day, client=client_of(request))
    return _csv(data, f"housing-key-groups-{day.isoformat()}.csv")


@router.get("/assistance/exports/premium-subsidy.csv", response={**ERRORS}, summary="医保参保资助名单")
def export_premium(request, year: int = Query(..., ge=2000, le=2100)):  # noqa: B008
    data = exports.premium_subsidy(user=request.auth, year=year, client=client_of(request))
    return _csv(data, f"premium-subsidy-{year}.csv")
