"""The monthly change report (按月上报变化情况): `/api/v1/monthly-reports…`.

A shell over `reports.services` and `reports.selectors` (docs/monthly-report.md): list, read,
prepare (the township's clerk; again replaces the draft), submit, approve or return (county civil
affairs), the Excel file, and the figures of a month never prepared. A report of another township
is a 404 like a missing one; a step out of order is a 409 with `field`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from safetynet.api.auth import client_of
from safetynet.api.schemas import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, MAX_OFFSET, TOWNSHIP_CODE, In
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_GROUP_LABELS, REPORT_STATUS_LABELS
from safetynet.core.paging import window
from safetynet.reports import selectors, services
from safetynet.reports.models import MonthlyReport

router = Router(tags=["monthly-reports"])

MONTH = r"^\d{4}-\d{2}$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- schemas --------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str
    name: str


class CountsOut(Schema):
    new_households: int
    new_people: int
    new_before: str = Field(..., description="新增户变化前月金额合计（元，恒为0）")
    new_after: str = Field(..., description="新增户月金额合计（元）")
    changed_households: int
    changed_people: int
    changed_before: str
    changed_after: str
    stopped_households: int
    stopped_people: int
    stopped_before: str = Field(..., description="减少户减少前月金额合计（元）")
    stopped_after: str


class CategoryCellOut(CountsOut):
    group: str = Field(..., description="认定类别代码")
    group_label: str


class MonitoringCellOut(CountsOut):
    group: str = Field(..., description="监测类型代码；marked 有标识无类型；none 非监测对象")
    group_label: str


class RosterOut(Schema):
    households: int
    people: int
    amount: str


class TermsOut(Schema):
    category: str
    monitoring_marked: bool
    monitoring_type: str
    amount: str = Field(..., description="户月救助金额（元）")
    people: int


class LineOut(Schema):
    kind: Literal["new", "changed", "stopped"]
    changed: list[str] = Field(
        ..., description="变更项目：category / monitoring_marked / monitoring_type / amount"
    )
    before: TermsOut | None
    after: TermsOut | None


class HouseholdLineOut(LineOut):
    household_id: int
    village: str
    village_name: str
    head_name: str = Field(..., description="户主姓名（脱敏）")


class PersonTermsOut(Schema):
    household_id: int
    category: str
    monitoring_marked: bool
    monitoring_type: str
    amount: str = Field(..., description="本人月救助金额（单人保、单独认定特困；其他为0）")
    household_amount: str


class PersonLineOut(Schema):
    person_id: int
    name: str = Field(..., description="姓名（脱敏）")
    household_id: int
    village: str
    village_name: str
    kind: Literal["new", "changed", "stopped"]
    before: PersonTermsOut | None
    after: PersonTermsOut | None


class CorrectionOut(Schema):
    month: str = Field(..., description="所属月份 YYYY-MM")
    household_id: int
    village: str
    village_name: str
    head_name: str
    reported: LineOut | None = Field(..., description="原报（空：原报无变化）")
    corrected: LineOut | None = Field(..., description="更正后（空：实际无变化）")
    amount_delta: str


class FiguresOut(Schema):
    township: AreaOut
    month: str
    cutoff_seq: int
    opening: RosterOut
    closing: RosterOut
    totals: CountsOut
    by_category: list[CategoryCellOut]
    by_monitoring: list[MonitoringCellOut]
    households: list[HouseholdLineOut]
    people: list[PersonLineOut]
    corrections: list[CorrectionOut]


class ReportListItemOut(Schema):
    id: int
    township: AreaOut
    month: str
    status: Literal["draft", "submitted", "approved"]
    status_label: str
    totals: CountsOut
    corrections: int
    prepared_by: str
    prepared_at: dt.datetime
    submitted_by: str | None
    submitted_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    version: int
    digest: str


class ReportOut(ReportListItemOut):
    cutoff_at: dt.datetime
    returned_reason: str
    figures: FiguresOut


class ReportListOut(Schema):
    count: int
    items: list[ReportListItemOut]


class PreviewOut(Schema):
    provisional: bool = Field(..., description="截止时间（次月末）尚未到，数字还可能变化")
    report_id: int | None = Field(..., description="该月已编制报表时为其编号，数字即报表所存")
    figures: FiguresOut


class PrepareIn(In):
    township: str = Field(..., pattern=TOWNSHIP_CODE, description="乡镇代码（9位）")
    month: str = Field(..., pattern=MONTH, description="报表月份 YYYY-MM")


class ReturnIn(In):
    reason: str = Field(..., min_length=1, max_length=2000, description="退回理由")


# ---- rendering ------------------------------------------------------------------------------


def _user(u) -> str | None:
    return u.username if u is not None else None


def _figures(f: dict) -> dict:
    return {
        **f,
        "by_category": [
            {**c, "group_label": CATEGORY_LABELS.get(c["group"], c["group"])} for c in f["by_category"]
        ],
        "by_monitoring": [
            {**c, "group_label": MONITORING_GROUP_LABELS.get(c["group"], c["group"])}
            for c in f["by_monitoring"]
        ],
    }


def _item(r: MonthlyReport) -> dict:
    return {
        "id": r.pk,
        "township": {"code": r.township.code, "name": r.township.name},
        "month": r.month_key,
        "status": r.status,
        "status_label": REPORT_STATUS_LABELS[r.status],
        "totals": r.figures["totals"],
        "corrections": len(r.figures["corrections"]),
        "prepared_by": r.prepared_by.username,
        "prepared_at": r.prepared_at,
        "submitted_by": _user(r.submitted_by),
        "submitted_at": r.submitted_at,
        "approved_by": _user(r.approved_by),
        "approved_at": r.approved_at,
        "version": r.version,
        "digest": r.digest,
    }


def _full(r: MonthlyReport) -> dict:
    return {
        **_item(r),
        "cutoff_at": r.cutoff_at,
        "returned_reason": r.returned_reason,
        "figures": _figures(r.figures),
    }


# ---- endpoints ------------------------------------------------------------------------------


@router.get("/monthly-reports", response={200: ReportListOut, **ERRORS}, summary="变化情况月报列表（本辖区）")
def list_reports(
    request,
    township: str | None = Query(None, pattern=TOWNSHIP_CODE),
    month: str | None = Query(None, pattern=MONTH),
    status: Literal["draft", "submitted", "approved"] | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = selectors.reports_visible_to(request.auth)
    if township:
        qs = qs.filter(township__code=township)
    if month:
        qs = qs.filter(month=selectors.parse_month(month).first)
    if status:
        qs = qs.filter(status=status)
    return {"count": qs.count(), "items": [_item(r) for r in window(qs, offset, limit)]}


@router.get(
    "/monthly-reports/preview",
    response={200: PreviewOut, **ERRORS},
    summary="某乡镇某月的变化情况（未编制月份按次月末截止计算，可重现）",
)
def preview(
    request,
    township: str = Query(..., pattern=TOWNSHIP_CODE),
    month: str = Query(..., pattern=MONTH),
):
    figures, report, provisional = selectors.month_figures(request.auth, township, month)
    return {
        "provisional": provisional,
        "report_id": report.pk if report else None,
        "figures": _figures(figures),
    }


@router.post(
    "/monthly-reports",
    response={200: ReportOut, 201: ReportOut, **ERRORS},
    summary="编制月报（乡镇；再次编制替换草稿）",
)
def prepare(request, payload: PrepareIn):
    report, created = services.prepare_report(
        user=request.auth, township=payload.township, month=payload.month, client=client_of(request)
    )
    report = selectors.get_report(request.auth, report.pk)
    return Status(201 if created else 200, _full(report))


@router.get("/monthly-reports/{int:report_id}", response={200: ReportOut, **ERRORS}, summary="月报详情")
def detail(request, report_id: int):
    return _full(selectors.get_report(request.auth, report_id))


def _step(request, report_id: int, service, **kwargs):
    service(user=request.auth, report=report_id, client=client_of(request), **kwargs)
    return _full(selectors.get_report(request.auth, report_id))


@router.post(
    "/monthly-reports/{int:report_id}/submit", response={200: ReportOut, **ERRORS}, summary="报送（乡镇）"
)
def submit(request, report_id: int):
    return _step(request, report_id, services.submit_report)


@router.post(
    "/monthly-reports/{int:report_id}/approve",
    response={200: ReportOut, **ERRORS},
    summary="审批（县民政局；审批后锁定）",
)
def approve(request, report_id: int):
    return _step(request, report_id, services.approve_report)


@router.post(
    "/monthly-reports/{int:report_id}/return",
    response={200: ReportOut, **ERRORS},
    summary="退回乡镇（县民政局）",
)
def return_(request, report_id: int, payload: ReturnIn):
    return _step(request, report_id, services.return_report, reason=payload.reason)


@router.get(
    "/monthly-reports/{int:report_id}/export.xlsx",
    response={200: bytes, **ERRORS},
    summary="导出Excel（版式见 docs/monthly-report.md）",
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def export(request, report_id: int):
    report = selectors.get_report(request.auth, report_id)
    data = services.export_report(user=request.auth, report=report, client=client_of(request))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="monthly-report-{report.township.code}-{report.month_key}.xlsx"'
    )
    return response
