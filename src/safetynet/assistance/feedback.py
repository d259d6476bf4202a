"""Department feedback files (docs/assistance.md, "反馈文件格式"): loaded whole or refused whole.

A CSV file (UTF-8, with or without BOM, or GB18030), one row per measure, headers by code or by
the Chinese label: 措施编号 `measure_id`, 办理状态 `status`, 办理日期 `on`, 金额（元） `amount`,
说明 `note`. Every row is checked — its format, that the measure was referred to the uploading
department, that the status may follow the measure's current one, that no measure appears twice —
before anything is written; one bad row refuses the file, the errors (row, column, message) are
kept with the upload record and nothing else is written, as with the department data exchange.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.assistance import selectors
from safetynet.assistance.models import Feedback, FeedbackUpload, Measure, MeasureStatus
from safetynet.assistance.services import apply_feedback, check_feedback
from safetynet.audit.services import Actor, record_audit
from safetynet.core import clock
from safetynet.core.errors import PermissionDenied, SafetynetError, ValidationFailed
from safetynet.core.glossary import DEPARTMENT_LABELS, MEASURE_STATUS_LABELS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 1000


@dataclass(frozen=True)
class FileColumn:
    name: str
    label: str
    required: bool
    help: str


COLUMNS = (
    FileColumn("measure_id", "措施编号", True, "转介清单中的措施编号（整数）"),
    FileColumn(
        "status", "办理状态", True, "in_progress 办理中 / done 已完成 / declined 不予实施（代码或中文）"
    ),
    FileColumn("on", "办理日期", True, "YYYY-MM-DD，不晚于上传当日"),
    FileColumn("amount", "金额（元）", False, "实际发放或资助金额，最多两位小数；可空"),
    FileColumn("note", "说明", False, "不予实施时必填（理由）；慈善帮扶办结时写明帮扶内容；不超过300字"),
)
_BY_LABEL = {c.label: c.name for c in COLUMNS} | {c.name: c.name for c in COLUMNS}
_STATUS = {code: code for code in ("in_progress", "done", "declined")} | {
    MEASURE_STATUS_LABELS[c]: c for c in ("in_progress", "done", "declined")
}


def _decode(data: bytes) -> str:
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(
        "文件编码无法识别：请使用 UTF-8 或 GB18030 编码的 CSV。", field="file", code="bad_encoding"
    )


def _rows(data: bytes) -> list[dict]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed("文件为空。", field="file", code="empty_file") from None
    names = [_BY_LABEL.get(h.strip()) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n is None and h.strip()]
    if unknown:
        raise ValidationFailed(f"未知的列：{'、'.join(unknown)}。", field="file", code="unknown_columns")
    missing = [c.label for c in COLUMNS if c.required and c.name not in names]
    if missing:
        raise ValidationFailed(f"缺少必填列：{'、'.join(missing)}。", field="file", code="missing_columns")
    if len(set(n for n in names if n)) != len([n for n in names if n]):
        raise ValidationFailed("列名重复。", field="file", code="duplicate_columns")
    out = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        out.append({n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names) if n})
        if len(out) > MAX_ROWS:
            raise ValidationFailed(f"文件超过{MAX_ROWS}行，请分批上传。", field="file", code="too_many_rows")
    if not out:
        raise ValidationFailed("文件没有数据行。", field="file", code="empty_file")
    return out


def _department_of(user, department: str | None) -> str:
    mine = selectors.departments_of(user)
    if not user.can(Perm.REPORT_REFERRAL_FEEDBACK) or not mine:
        raise PermissionDenied("您无权上传部门反馈文件。")
    if department:
        if department not in mine:
            raise ValidationFailed(
                "您不能代表该部门上传反馈。", field="department", code="not_your_department"
            )
        return department
    if len(mine) > 1:
        raise ValidationFailed("请选择反馈所属的部门。", field="department", code="department_required")
    return mine[0]


def upload_feedback_file(
    *, user, data: bytes, filename: str, department: str | None = None, client: str = ""
) -> FeedbackUpload:
    """Check every row of a department's feedback file, then write all of it or none of it. A
    refused file is recorded (with its errors) and returned with status `rejected`."""
    dept = _department_of(user, department)
    if len(data) > MAX_BYTES:
        raise ValidationFailed("文件超过5MB。", field="file", code="file_too_large")
    rows = _rows(data)
    today = clock.today()
    errors: list[dict] = []
    checked = []
    seen: dict[int, int] = {}
    ids = []
    for r in rows:
        try:
            ids.append(int(r["measure_id"]))
        except ValueError:
            pass
    measures = {
        m.pk: m
        for m in Measure.objects.filter(pk__in=ids, department=dept, referred_on__isnull=False).exclude(
            status=MeasureStatus.SUGGESTED
        )
    }
    for i, r in enumerate(rows, start=2):  # row 1 is the header

        def err(column: str, message: str, row=i) -> None:
            if len(errors) < MAX_ERRORS:
                errors.append({"row": row, "column": column, "message": message})

        try:
            mid = int(r["measure_id"])
        except ValueError:
            err("措施编号", f"措施编号“{r['measure_id']}”不是整数。")
            continue
        if mid in seen:
            err("措施编号", f"措施{mid}在第{seen[mid]}行已出现，一个文件中每项措施只能反馈一次。")
            continue
        seen[mid] = i
        m = measures.get(mid)
        if m is None:
            err("措施编号", f"措施{mid}未转介给{DEPARTMENT_LABELS[dept]}，不能反馈。")
            continue
        status = _STATUS.get(r["status"])
        if status is None:
            err("办理状态", f"办理状态“{r['status']}”无效，应为 办理中、已完成 或 不予实施。")
            continue
        try:
            on = dt.date.fromisoformat(r["on"])
        except ValueError:
            err("办理日期", f"办理日期“{r['on']}”格式应为 YYYY-MM-DD。")
            continue
        if on > today:
            err("办理日期", "办理日期不能晚于今天。")
            continue
        try:
            status, amount, note = check_feedback(m, status, r.get("amount", ""), r.get("note", ""))
        except SafetynetError as e:
            column = {"amount": "金额（元）", "note": "说明", "status": "办理状态"}.get(e.field or "", "")
            err(column, e.message)
            continue
        checked.append((m, status, on, amount, note))
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        upload = FeedbackUpload.objects.create(
            department=dept,
            filename=(filename or "feedback.csv")[:200],
            sha256=sha,
            size=len(data),
            status=FeedbackUpload.Status.REJECTED if errors else FeedbackUpload.Status.ACCEPTED,
            rows_total=len(rows),
            errors=errors,
            uploaded_by=user,
        )
        if not errors:
            locked = {
                m.pk: m for m in Measure.objects.select_for_update().filter(pk__in=[c[0].pk for c in checked])
            }
            for m, status, on, amount, note in checked:
                current = locked[m.pk]
                if current.status != m.status:  # changed since it was checked: refuse the whole file
                    raise ValidationFailed(
                        f"措施{m.pk}的状态刚被修改，请重新上传。", field="file", code="changed"
                    )
                apply_feedback(
                    current,
                    status=status,
                    on=on,
                    amount=amount,
                    note=note,
                    channel=Feedback.Channel.FILE,
                    user=user,
                    upload=upload,
                )
        record_audit(
            actor=Actor.of(user, client),
            action="assistance.feedback_upload",
            object_type="feedback_upload",
            object_id=upload.pk,
            changes={
                "department": dept,
                "sha256": sha,
                "rows": len(rows),
                "status": upload.status,
                "errors": len(errors),
                "measures": [c[0].pk for c in checked] if not errors else [],
            },
        )
    return upload


def template_csv() -> bytes:
    """An empty feedback file with the Chinese headers (UTF-8 with BOM, opens in Excel)."""
    return ("\ufeff" + ",".join(c.label for c in COLUMNS) + "\r\n").encode("utf-8")
