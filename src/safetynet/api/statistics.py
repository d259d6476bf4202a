"""统计月报 through the API: `/api/v1/statistics…` (docs/statistics.md). A month's figures for the
townships in the caller's area and their total (or one township), and the Excel file. A future
month or a bad one is a 400 with `field`; a township outside the area is a 404."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from safetynet.api.schemas import ERRORS
from safetynet.reports import statistics, statistics_export

router = Router(tags=["statistics"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CellOut(Schema):
    category: str
    hukou: str = Field(..., description="urban 城市 / rural 农村（户籍）")
    households: int
    people: int
    amount_due: str = Field(..., description="月末在册户月金额合计（元）")
    paid_households: int
    amount_paid: str = Field(..., description="该月待遇已发放到账金额（元，截止时已回盘）")


class AreaOut(Schema):
    code: str
    name: str


class MonitoredCellOut(Schema):
    households: int = Field(..., description="月末监测户数")
    people: int = Field(..., description="月末监测人数")
    with_dibao_or_tekun: int = Field(..., description="其中同时纳入低保或特困的户数")
    new: int = Field(..., description="本月新识别（标注）的户数")
    exits: int = Field(..., description="本月退出监测的户数")
    risk_closed: int = Field(..., description="其中因风险消除退出的户数")


class MonitoredOut(Schema):
    types: dict[str, MonitoredCellOut] = Field(
        ..., description="按监测类型：unstable_alleviated / edge_prone / sudden_hardship / unknown（未登记）"
    )
    households_with_measures: int = Field(..., description="月末已转介帮扶措施的监测户数")


class FiguresOut(Schema):
    cells: list[CellOut]
    tekun_care: dict[str, int] = Field(..., description="特困人员按照料护理等级的人数")
    tekun_support: dict[str, int] = Field(
        default_factory=dict,
        description="特困人员按供养方式的人数：centralised 集中供养 / dispersed 分散供养 / unrecorded 未登记",
    )
    individual_dibao_people: int
    monitored: MonitoredOut | None = Field(
        None, description="防返贫监测对象汇总（该月统计冻结时尚无此汇总则为空）"
    )


class TownshipFiguresOut(FiguresOut):
    township: AreaOut
    day: str = Field(..., description="在册口径日期（月末，当月为今天）")


class StatisticsOut(Schema):
    month: str
    as_of: dt.datetime
    provisional: bool = Field(..., description="统计截止（次月末）前为临时数据")
    townships: list[TownshipFiguresOut]
    total: FiguresOut


@router.get(
    "/statistics", response={200: StatisticsOut, **ERRORS}, summary="社会救助统计月报（本辖区各乡镇及合计）"
)
def read(request, month: str = Query(..., description="YYYY-MM"), township: str = ""):
    return statistics.read(request.auth, month, township)


@router.get(
    "/statistics/export.xlsx",
    response={200: bytes, **ERRORS},
    summary="统计月报Excel（版式见 docs/statistics.md）",
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def export(request, month: str = Query(..., description="YYYY-MM"), township: str = ""):
    return _xlsx(request, "statistics", month, township)


@router.get(
    "/statistics/monitored.xlsx",
    response={200: bytes, **ERRORS},
    summary="防返贫监测对象汇总Excel（版式见 docs/statistics.md）",
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def export_monitored(request, month: str = Query(..., description="YYYY-MM"), township: str = ""):
    return _xlsx(request, "monitored", month, township)


def _xlsx(request, kind: str, month: str, township: str) -> HttpResponse:
    name, data = statistics_export.export_file(
        kind, statistics.read(request.auth, month, township), request.auth
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
