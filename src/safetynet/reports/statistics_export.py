"""The monthly statistics as an Excel file (layout in docs/statistics.md): one sheet, a title with
the month and the data's time, then a block per township and the total, each with a row per
category and 户籍 and the category's subtotal, then the 特困 care tiers and the 单人保 people.
The monitored-household summary likewise, a row per township and monitoring type."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from safetynet.core.glossary import CARE_TIER_LABELS, CATEGORY_LABELS, MONITORING_TYPES, SUPPORT_MODE_LABELS
from safetynet.registry.models import Hukou
from safetynet.reports import monitored
from safetynet.reports.statistics import category_totals

HEADERS = ["范围", "类别", "城乡", "户数", "人数", "月应发金额（元）", "已发放户数", "已发放金额（元）"]
HUKOU_LABELS = {Hukou.URBAN.value: "城市", Hukou.RURAL.value: "农村"}


def _block(ws, scope: str, figures: dict) -> None:
    for c in figures["cells"]:
        ws.append(
            [
                scope,
                CATEGORY_LABELS.get(c["category"], c["category"]),
                HUKOU_LABELS.get(c["hukou"], c["hukou"]),
                c["households"],
                c["people"],
                Decimal(c["amount_due"]),
                c["paid_households"],
                Decimal(c["amount_paid"]),
            ]
        )
    for t in category_totals(figures):
        ws.append(
            [
                scope,
                CATEGORY_LABELS.get(t["category"], t["category"]),
                "小计",
                t["households"],
                t["people"],
                t["amount_due"],
                t["paid_households"],
                t["amount_paid"],
            ]
        )
    care = "，".join(
        f"{CARE_TIER_LABELS[k]} {n} 人" for k, n in figures["tekun_care"].items() if k in CARE_TIER_LABELS
    )
    ws.append([scope, "特困人员照料护理等级", care])
    support = "，".join(
        f"{SUPPORT_MODE_LABELS[k]} {n} 人" for k, n in figures.get("tekun_support", {}).items()
    )
    ws.append([scope, "特困人员供养方式", support])
    ws.append([scope, "单人保（低保）人数", figures["individual_dibao_people"]])


def workbook(stats: dict, county_name: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("统计月报")
    state = "（临时数据）" if stats["provisional"] else ""
    ws.append(
        [f"社会救助统计月报 {stats['month_label']}{state}", f"数据截止 {stats['as_of']:%Y-%m-%d %H:%M}"]
    )
    ws.append(HEADERS)
    for t in stats["townships"]:
        _block(ws, t["township"]["name"], t)
    if len(stats["townships"]) > 1:
        _block(ws, f"{county_name}合计", stats["total"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


MONITORED_HEADERS = [
    "范围",
    "监测类型",
    "监测户数",
    "监测人数",
    "其中纳入低保或特困户数",
    "本月新识别户数",
    "本月退出监测户数",
    "其中风险消除户数",
]


def monitored_rows(scope: str, summary: dict) -> list[list]:
    rows = []
    for t, cell in (summary or {}).get("types", {}).items():
        label = MONITORING_TYPES.get(t, "类型未登记")
        rows.append([scope, label, *(cell[k] for k in monitored.KEYS)])
    return rows


def monitored_workbook(stats: dict, county_name: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("防返贫监测对象汇总")
    state = "（临时数据）" if stats["provisional"] else ""
    ws.append(
        [f"防返贫监测对象汇总 {stats['month_label']}{state}", f"数据截止 {stats['as_of']:%Y-%m-%d %H:%M}"]
    )
    ws.append([*MONITORED_HEADERS, "已落实帮扶措施户数"])
    blocks = [(t["township"]["name"], t) for t in stats["townships"]]
    if len(stats["townships"]) > 1:
        blocks.append((f"{county_name}合计", stats["total"]))
    for scope, figures in blocks:
        summary = figures.get("monitored")
        if summary is None:
            ws.append([scope, "该月统计冻结时尚无此汇总"])
            continue
        for row in monitored_rows(scope, summary):
            ws.append(row)
        ws.append([scope, "合计", *monitored.sums(summary).values(), summary["households_with_measures"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WORKBOOKS = {"statistics": workbook, "monitored": monitored_workbook}


def export_file(kind: str, stats: dict, user) -> tuple[str, bytes]:
    """(file name, Excel bytes) of `stats` as the statistics or the monitored summary."""
    area = user.area.name if user.area_id else ""
    return f"{kind}-{stats['month']}.xlsx", WORKBOOKS[kind](stats, area)
