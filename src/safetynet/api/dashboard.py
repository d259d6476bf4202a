"""领导小组驾驶舱 through the API: `GET /api/v1/dashboard?month=&township=&category=` (the
figures of the page) and `GET /api/v1/dashboard/list?kind=&period=…` (the rows behind one
number, as ids), docs/dashboard.md. A future month, a bad month or category is a 400 with
`field`; a township outside the caller's area is a 404; a role without the permission a 403."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from safetynet.api.schemas import ERRORS, MAX_OFFSET
from safetynet.core.paging import window
from safetynet.dashboard import figures, lists, query

router = Router(tags=["dashboard"])


class DashboardOut(Schema):
    query: dict[str, str]
    month_label: str
    day: str = Field(..., description="在册口径日期：月末，当月为今天")
    cutoff: dt.datetime = Field(..., description="事件（发放、线索处理）统计至此时刻之前")
    current: bool
    from_summary: bool = Field(..., description="读自刷新任务保存的汇总（否则为实时计算）")
    as_of: dt.datetime | None = Field(None, description="汇总的计算时间（实时计算时为空）")
    stock: dict = Field(
        ..., description="各乡镇及合计：在册户数、人数，按类别、监测标识，在册人口，覆盖率（%）"
    )
    flows: list[dict] = Field(..., description="近12个月每月纳入、退出户数")
    money: list[dict] = Field(..., description="近12个待遇月份应发、已发金额（元），按类别")
    cases: dict = Field(..., description="在办、临近时限、已超期案件，按乡镇")
    leads: dict = Field(..., description="比对线索每月新增、已处理、核实属实，及未处理数")
    lines: list[dict] = Field(..., description="逐年城市、农村低保标准与防返贫监测线（元/人/年）")


class DrillOut(Schema):
    kind: str
    title: str
    period: str
    count: int
    ids: list[int]


@router.get("/dashboard", response={200: DashboardOut, **ERRORS}, summary="领导小组驾驶舱（某月的各项数字）")
def read(
    request,
    month: str = Query("", description="YYYY-MM，默认本月"),
    township: str = "",
    category: str = "",
):
    q = query.parse(request.auth, {"month": month, "township": township, "category": category})
    return figures.dashboard(request.auth, q)


@router.get("/dashboard/list", response={200: DrillOut, **ERRORS}, summary="驾驶舱某个数字背后的明细（id）")
def drill(
    request,
    kind: str = Query("", description="、".join(lists.KINDS)),
    month: str = "",
    township: str = "",
    category: str = "",
    period: str = Query("", description="月度序列的月份 YYYY-MM（默认所看月份）"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    params = {"month": month, "township": township, "category": category, "kind": kind, "period": period}
    q = query.parse(request.auth, params)
    d = lists.drill(request.auth, q, params)
    return {
        "kind": d.kind,
        "title": d.title,
        "period": d.period,
        "count": d.rows.count(),
        "ids": list(window(d.rows.values_list("pk", flat=True), offset, limit)),
    }
