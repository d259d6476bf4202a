"""The monthly change report as an Excel file (openpyxl), in the layout of docs/monthly-report.md.

Made only from the report's stored snapshot, so an approved report's file is the same whenever it
is made. Names are masked in the snapshot already."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from safetynet.core.glossary import (
    CATEGORY_LABELS,
    MONITORING_GROUP_LABELS,
    REPORT_CHANGE_LABELS,
    REPORT_FIELD_LABELS,
    REPORT_STATUS_LABELS,
)

SUMMARY = "汇总"
HOUSEHOLDS = "户明细"
PEOPLE = "人员明细"
CORRECTIONS = "更正"
INFO = "报表信息"

SUMMARY_HEADERS = [
    "分组方式",
    "分组",
    "新增户数",
    "新增人数",
    "新增月金额（元）",
    "变更户数",
    "变更人数",
    "变更前月金额（元）",
    "变更后月金额（元）",
    "减少户数",
    "减少人数",
    "减少前月金额（元）",
]
SUMMARY_KEYS = [
    "new_households",
    "new_people",
    "new_after",
    "changed_households",
    "changed_people",
    "changed_before",
    "changed_after",
    "stopped_households",
    "stopped_people",
    "stopped_before",
]
_SIDE = ["类别", "监测标识", "人数", "月金额（元）"]
HOUSEHOLD_HEADERS = [
    "变化类型",
    "户编号",
    "村（社区）",
    "户主（脱敏）",
    "变更项目",
    *(f"变更前{h}" for h in _SIDE),
    *(f"变更后{h}" for h in _SIDE),
]
PEOPLE_HEADERS = [
    "变化类型",
    "人员编号",
    "姓名（脱敏）",
    "户编号",
    "村（社区）",
    "变更前类别",
    "变更前本人月金额（元）",
    "变更后类别",
    "变更后本人月金额（元）",
]
CORRECTION_HEADERS = [
    "所属月份",
    "户编号",
    "村（社区）",
    "户主（脱敏）",
    "原报变化类型",
    "原报变更后月金额（元）",
    "更正后变化类型",
    "更正后变更前月金额（元）",
    "更正后变更后月金额（元）",
    "当月金额变动差额（元）",
]
MONEY = "#,##0.00"


def _amount(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _mark(t: dict | None) -> str:
    if not t:
        return ""
    group = (t["monitoring_type"] or "marked") if t["monitoring_marked"] else "none"
    return MONITORING_GROUP_LABELS.get(group, group)


def _side(t: dict | None) -> list:
    if not t:
        return ["", "", None, None]
    return [CATEGORY_LABELS.get(t["category"], t["category"]), _mark(t), t["people"], _amount(t["amount"])]


def _sheet(wb: Workbook, title: str, headers: list[str]):
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 14
    return ws


def _formats(ws, money_columns: set[int]) -> None:
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column in money_columns and cell.value is not None:
                cell.number_format = MONEY


def _summary(wb: Workbook, f: dict) -> None:
    ws = _sheet(wb, SUMMARY, SUMMARY_HEADERS)
    for dimension, key, labels in (
        ("按认定类别", "by_category", CATEGORY_LABELS),
        ("按监测标识", "by_monitoring", MONITORING_GROUP_LABELS),
    ):
        for cell in f[key]:
            ws.append(
                [
                    dimension,
                    labels.get(cell["group"], cell["group"]),
                    *(_value(cell[k]) for k in SUMMARY_KEYS),
                ]
            )
        ws.append([dimension, "合计", *(_value(f["totals"][k]) for k in SUMMARY_KEYS)])
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
    _formats(ws, {i + 1 for i, h in enumerate(SUMMARY_HEADERS) if "金额" in h})


def _value(v):
    return _amount(v) if isinstance(v, str) else v


def workbook(report) -> bytes:
    f = report.figures
    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb, f)

    ws = _sheet(wb, HOUSEHOLDS, HOUSEHOLD_HEADERS)
    for line in f["households"]:
        ws.append(
            [
                REPORT_CHANGE_LABELS.get(line["kind"], line["kind"]),
                line["household_id"],
                line["village_name"],
                line["head_name"],
                "、".join(REPORT_FIELD_LABELS.get(c, c) for c in line["changed"]),
                *_side(line["before"]),
                *_side(line["after"]),
            ]
        )
    _formats(ws, {9, 13})

    ws = _sheet(wb, PEOPLE, PEOPLE_HEADERS)
    for p in f["people"]:
        b, a = p["before"] or {}, p["after"] or {}
        ws.append(
            [
                REPORT_CHANGE_LABELS.get(p["kind"], p["kind"]),
                p["person_id"],
                p["name"],
                p["household_id"],
                p["village_name"],
                CATEGORY_LABELS.get(b.get("category", ""), b.get("category", "")),
                _amount(b.get("amount")),
                CATEGORY_LABELS.get(a.get("category", ""), a.get("category", "")),
                _amount(a.get("amount")),
            ]
        )
    _formats(ws, {7, 9})

    ws = _sheet(wb, CORRECTIONS, CORRECTION_HEADERS)
    for c in f["corrections"]:
        old, new = c["reported"] or {}, c["corrected"] or {}
        ws.append(
            [
                c["month"],
                c["household_id"],
                c["village_name"],
                c["head_name"],
                REPORT_CHANGE_LABELS.get(old.get("kind", ""), "未报告变化"),
                _amount((old.get("after") or {}).get("amount")),
                REPORT_CHANGE_LABELS.get(new.get("kind", ""), "无变化"),
                _amount((new.get("before") or {}).get("amount")),
                _amount((new.get("after") or {}).get("amount")),
                _amount(c["amount_delta"]),
            ]
        )
    _formats(ws, {6, 8, 9, 10})

    ws = _sheet(wb, INFO, ["项目", "内容"])
    local = timezone.localtime
    for key, value in (
        ("乡镇", f"{f['township']['name']}（{f['township']['code']}）"),
        ("报表月份", f["month"]),
        ("状态", REPORT_STATUS_LABELS.get(report.status, report.status)),
        ("编制人", report.prepared_by.username),
        ("编制时间（数据截止）", f"{local(report.cutoff_at):%Y-%m-%d %H:%M:%S}"),
        ("截止审计序号", f["cutoff_seq"]),
        ("审批人", report.approved_by.username if report.approved_by_id else ""),
        ("审批时间", f"{local(report.approved_at):%Y-%m-%d %H:%M:%S}" if report.approved_at else ""),
        ("期初户数", f["opening"]["households"]),
        ("期初人数", f["opening"]["people"]),
        ("期初月金额（元）", _amount(f["opening"]["amount"])),
        ("期末户数", f["closing"]["households"]),
        ("期末人数", f["closing"]["people"]),
        ("期末月金额（元）", _amount(f["closing"]["amount"])),
        ("报表数据摘要（SHA-256）", report.digest),
    ):
        ws.append([key, value])
    _formats(ws, {2})
    ws.column_dimensions["A"].width = 24

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
