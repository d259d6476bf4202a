"""花名册 through the API: `/api/v1/rosters…` (docs/rosters.md).

The same query as the web page (`rosters.query.parse`: a value that is not a category, a date in
the future, an area outside the caller's reach is refused the same way), the rows of one page with
the totals of the whole selection, the monitored households for agriculture with whether each
could be closed, and the Excel file (masked; unmasked with the permission and a reason, audited).
"""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from safetynet.api.auth import client_of
from safetynet.api.schemas import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, MAX_OFFSET
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES, RISK_EVENTS
from safetynet.core.masking import mask_name
from safetynet.core.paging import window
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.rosters import exports, query, selectors

router = Router(tags=["rosters"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterFilters(Schema):
    on: str = Field("", description="在册日期 YYYY-MM-DD（默认今天；不得晚于今天）")
    township: str = Field("", description="乡镇代码（须在本辖区）")
    village: str = Field("", description="村（社区）代码（须在本辖区）")
    category: str = Field("", description="认定类别：" + "、".join(query.CATEGORIES))
    marked: str = Field("", description="防返贫监测对象：1 是，0 否")
    monitoring_type: str = Field("", description="监测类型：" + "、".join(MONITORING_TYPES))
    member_category: str = Field("", description="有成员为此类别（如 individual_dibao 单人保）")
    amount_min: str = Field("", description="户月金额下限（元）")
    amount_max: str = Field("", description="户月金额上限（元）")
    review_due_by: str = Field("", description="下次复核期限不晚于此日")
    order: str = Field("household", description="排序：" + "、".join(query.ORDERS) + "；前加 - 为降序")


class AreaOut(Schema):
    code: str
    name: str


class RowOut(Schema):
    entitlement_id: int
    household_id: int
    township: AreaOut
    village: AreaOut
    head_name: str = Field(..., description="户主姓名（脱敏）")
    people: int = Field(..., description="认定记录中的成员人数")
    category: str
    category_label: str
    monitoring_marked: bool
    monitoring_type: str
    benefit_monthly: str = Field(..., description="户月金额（元）")
    valid_from: str
    review_due: str | None


class MonitoredOut(RowOut):
    marked_since: str = Field(..., description="连续标注为监测对象的起始日期")
    risk_events: list[str] = Field(..., description="致贫返贫风险事件")
    risk_closure_possible: bool
    risk_closure_note: str = Field(..., description="不能风险消除的原因；可以时为空")


class CategoryTotalOut(Schema):
    category: str
    category_label: str
    households: int
    amount: str


class TotalsOut(Schema):
    households: int
    people: int
    amount: str = Field(..., description="户月金额合计（元）")


class RosterOut(Schema):
    query: dict
    totals: TotalsOut
    by_category: list[CategoryTotalOut]
    count: int
    items: list[RowOut]


class MonitoredRosterOut(RosterOut):
    items: list[MonitoredOut]


def _row(e) -> dict:
    return {
        "entitlement_id": e.pk,
        "household_id": e.household_id,
        "township": {"code": e.village.parent.code, "name": e.village.parent.name},
        "village": {"code": e.village.code, "name": e.village.name},
        "head_name": mask_name(e.head_name) if e.head_name else "",
        "people": e.people,
        "category": e.category,
        "category_label": CATEGORY_LABELS.get(e.category, e.category),
        "monitoring_marked": e.monitoring_marked,
        "monitoring_type": e.monitoring_type,
        "benefit_monthly": str(e.benefit_monthly),
        "valid_from": e.valid_from.isoformat(),
        "review_due": e.review_due.isoformat() if e.review_due else None,
    }


def _page(user, q, limit: int, offset: int, *, households: bool = False) -> dict:
    rows = selectors.roster(user, q)
    if households:
        rows = selectors.with_households(rows)
    summary = selectors.summary(user, q)
    return {
        "query": q.echo(),
        "totals": {k: summary[k] for k in ("households", "people")} | {"amount": str(summary["amount"])},
        "by_category": [
            {
                "category": c["category"],
                "category_label": CATEGORY_LABELS.get(c["category"], c["category"]),
                "households": c["households"],
                "amount": str(c["amount"]),
            }
            for c in summary["by_category"]
        ],
        "count": summary["households"],
        "page": list(window(rows, offset, limit)),
    }


@router.get("/rosters", response={200: RosterOut, **ERRORS}, summary="花名册（某日在册的认定，本辖区）")
def roster(
    request,
    filters: Query[RosterFilters],
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    q = query.parse(request.auth, filters.dict())
    out = _page(request.auth, q, limit, offset)
    out["items"] = [_row(e) for e in out.pop("page")]
    return out


@router.get(
    "/rosters/monitored",
    response={200: MonitoredRosterOut, **ERRORS},
    summary="防返贫监测对象名单（类型、风险、能否风险消除）",
)
def monitored(
    request,
    filters: Query[RosterFilters],
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    q = query.parse(request.auth, filters.dict()).monitored()
    out = _page(request.auth, q, limit, offset, households=True)
    page = out.pop("page")
    outlook = selectors.closure_outlook(page, q.day)
    out["items"] = [
        {
            **_row(e),
            "marked_since": entitlement_selectors.marked_since(e.household, e).isoformat(),
            "risk_events": [RISK_EVENTS.get(r, r) for r in e.household.risk_events or ()],
            "risk_closure_possible": not outlook[e.pk],
            "risk_closure_note": outlook[e.pk],
        }
        for e in page
    ]
    return out


@router.get(
    "/rosters/export.xlsx",
    response={200: bytes, **ERRORS},
    summary="导出花名册Excel（默认脱敏；未脱敏须有权限并填写用途，记入审计）",
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def export(
    request,
    filters: Query[RosterFilters],
    unmasked: bool = False,
    reason: str = "",
    confirm: bool = False,
):
    q = query.parse(request.auth, filters.dict())
    data = exports.roster_workbook(
        user=request.auth, q=q, unmasked=unmasked, reason=reason, confirm=confirm, client=client_of(request)
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="roster-{q.day.isoformat()}.xlsx"'
    return response
