"""The roster as an Excel file: masked by default; unmasked (names and ID numbers in full) only for
a role that may unmask personal data, with a reason, and audited as an unmasking. Every export is
audited with its query and row count. A selection above EXPORT_CONFIRM_ROWS needs the user's
confirmation (`confirm`), and none may exceed EXPORT_MAX_ROWS."""

from __future__ import annotations

import io

from openpyxl import Workbook

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import PermissionDenied, ValidationFailed
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES
from safetynet.core.masking import mask_id_number, mask_name
from safetynet.rosters import selectors
from safetynet.rosters.query import RosterQuery

EXPORT_CONFIRM_ROWS = 5_000
EXPORT_MAX_ROWS = 200_000
HEADERS = [
    "户编号",
    "乡镇",
    "村（社区）",
    "户主",
    "户主身份证号",
    "人数",
    "认定类别",
    "防返贫监测对象",
    "监测类型",
    "户月金额（元）",
    "起始日期",
    "下次复核期限",
]


def roster_workbook(
    *, user, q: RosterQuery, unmasked: bool = False, reason: str = "", confirm: bool = False, client: str = ""
) -> bytes:
    reason = (reason or "").strip()
    if unmasked:
        if not user.can(Perm.UNMASK_PERSONAL_DATA):
            raise PermissionDenied("您的角色无权导出未脱敏的个人信息。", field="unmasked")
        if not reason:
            raise ValidationFailed("导出未脱敏的花名册须填写用途。", field="reason")
    rows = selectors.with_households(selectors.roster(user, q))
    count = rows.count()
    if count > EXPORT_MAX_ROWS:
        raise ValidationFailed(
            f"一次最多导出 {EXPORT_MAX_ROWS:,} 户，当前 {count:,} 户，请缩小范围。",
            code="export_too_large",
            field="confirm",
        )
    if count > EXPORT_CONFIRM_ROWS and not confirm:
        raise ValidationFailed(
            f"本次将导出 {count:,} 户（超过 {EXPORT_CONFIRM_ROWS:,} 户），请确认后再导出。",
            code="export_needs_confirmation",
            field="confirm",
        )
    name = (lambda s: s) if unmasked else mask_name
    number = (lambda s: s) if unmasked else mask_id_number
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append([f"花名册（{q.day:%Y年%m月%d日}在册）{'' if unmasked else '（已脱敏）'}"])
    ws.append(HEADERS)
    for row in rows.iterator(chunk_size=2000):
        hh, head = row.household, row.household.head
        ws.append(
            [
                hh.pk,
                row.village.parent.name,
                row.village.name,
                name(head.name) if head else "",
                number(head.id_number) if head else "",
                row.people,
                CATEGORY_LABELS.get(row.category, row.category),
                "是" if row.monitoring_marked else "否",
                MONITORING_TYPES.get(row.monitoring_type, ""),
                row.benefit_monthly,
                row.valid_from,
                row.review_due,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    record_audit(
        actor=Actor.of(user, client),
        action="roster.export_unmasked" if unmasked else "roster.export",
        object_type="entitlement",
        changes={"query": q.echo(), "rows": count, "unmasked": unmasked},
        reason=reason,
    )
    return buf.getvalue()
