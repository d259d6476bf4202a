"""Writing the disbursement file of a released payroll (an audited unmasking) and importing the
bank's result file: every line matched, the totals checked, a mismatching file rejected whole with
every problem named and nothing written, the same file twice changing nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core import clock
from safetynet.core.errors import Conflict, PermissionDenied, ValidationFailed
from safetynet.core.glossary import label
from safetynet.payments import bankformat, relief_lines
from safetynet.payments.models import BankFile, BankResultImport, LineStatus, Payroll, PayrollLine
from safetynet.payments.selectors import get_payroll
from safetynet.payments.services import mark_reconciled_if_complete

S = Payroll.Status
FORMATS = {"csv": bankformat.write_csv, "xlsx": bankformat.write_xlsx}


class ResultFileRejected(ValidationFailed):
    default_code = "result_file_rejected"

    def __init__(self, problems: list[str]):
        super().__init__("银行结果文件与名册不符，已整体退回：" + "；".join(problems), field="file")
        self.problems = problems

    def as_dict(self) -> dict:
        return {**super().as_dict(), "problems": self.problems}


def _chunks(ids: list[int], size: int = 5000):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def banks_of(payroll) -> list[str]:
    qs = PayrollLine.objects.filter(payroll_id=getattr(payroll, "pk", payroll))
    return list(qs.order_by("bank").values_list("bank", flat=True).distinct())


_ROWS = """
SELECT l.id, p.name, l.account, CAST(ROUND(l.amount * 100) AS BIGINT), l.kind, l.benefit_month, l.category
FROM payments_payrollline l JOIN registry_person p ON p.id = l.payee_id
WHERE l.payroll_id = %s AND l.bank = %s ORDER BY l.id
"""


def _rows(payroll: Payroll, bank: str):
    """The file's rows, read with one cursor in batches: amounts as integer fen (exact on SQLite
    too), each account decrypted once here — the unmasking this file is."""
    decrypt = settings.KEYRING.decrypt
    remarks: dict[tuple, str] = {}

    def remark(month, kind, category) -> str:
        key = (month, kind, category)
        if key not in remarks:
            day = month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10])
            extra = "" if kind == "regular" else label("line_kind", kind)
            remarks[key] = f"{day:%Y年%m月}{label('category_short', category)}{extra}"
        return remarks[key]

    with connection.cursor() as cur:
        cur.execute(_ROWS, [payroll.pk, bank])
        while batch := cur.fetchmany(5000):
            for line_id, name, token, fen, kind, month, category in batch:
                yield bankformat.DisbursementRow(
                    line_id, name, decrypt(token), Decimal(int(fen)).scaleb(-2), remark(month, kind, category)
                )


def write_bank_file(*, user, payroll, bank: str, fmt: str = "csv", client: str = "") -> tuple[str, bytes]:
    """The disbursement file of one bank, as (file name, bytes); the unmasking is audited."""
    if not user.can(Perm.DOWNLOAD_BANK_FILE):
        raise PermissionDenied("您的角色无权下载银行代发文件。")
    if fmt not in FORMATS:
        raise ValidationFailed("文件格式应为 csv 或 xlsx。", field="fmt")
    p = get_payroll(user, getattr(payroll, "pk", payroll))
    if p.status not in (S.RELEASED, S.RECONCILED):
        raise Conflict("名册发放后才能生成银行代发文件。", code="payroll_state", field="status")
    if bank not in banks_of(p):
        raise ValidationFailed(f"名册中没有开户银行为“{bank}”的明细。", code="bank_unknown", field="bank")
    try:
        data, count, total = FORMATS[fmt](_rows(p, bank))
    except bankformat.EncodingProblem as err:
        raise ValidationFailed(f"银行文件无法以GBK编码：{err}", code="gbk_unencodable", field="fmt") from None
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        BankFile.objects.create(
            payroll=p, bank=bank, fmt=fmt, lines=count, total=total, sha256=digest, written_by=user
        )
        record_audit(
            actor=Actor.of(user, client),
            action="payroll.bank_file",
            object_type="payroll",
            object_id=p.pk,
            changes={"bank": bank, "fmt": fmt, "lines": count, "total": str(total), "sha256": digest},
            reason="生成银行代发文件（含完整账号）",
        )
    name = f"代发-{p.township.code}-{p.month:%Y%m}-{bank}.{fmt}"
    return name, data


def import_bank_result(*, user, payroll, data: bytes, client: str = "") -> BankResultImport:
    if not user.can(Perm.IMPORT_BANK_RESULT):
        raise PermissionDenied("您的角色无权导入银行发放结果。")
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        p = get_payroll(user, getattr(payroll, "pk", payroll))
        p = Payroll.objects.select_for_update().select_related("township").get(pk=p.pk)
        done = BankResultImport.objects.filter(payroll=p, sha256=digest).first()
        if done is not None:
            return done  # the same file again: nothing changes
        if p.status not in (S.RELEASED, S.RECONCILED):
            raise Conflict("名册发放后才能导入银行结果。", code="payroll_state", field="status")
        parsed = bankformat.parse_result(data)
        problems = list(parsed.problems)
        ids = [r.line_id for r in parsed.rows]
        lines = {}
        for chunk in _chunks(ids):
            lines.update(
                (lid, (amount, status))
                for lid, amount, status in PayrollLine.objects.filter(payroll=p, id__in=chunk).values_list(
                    "id", "amount", "status"
                )
            )
        changes = []
        for r in parsed.rows:
            if r.line_id not in lines:
                problems.append(f"明细编号{r.line_id}不属于该名册")
                continue
            amount, status = lines[r.line_id]
            if amount != r.amount:
                problems.append(f"明细{r.line_id}金额{r.amount:.2f}与名册{amount:.2f}不符")
            elif status == LineStatus.PENDING:
                changes.append(r)
            elif status != r.status:
                problems.append(
                    f"明细{r.line_id}已记为“{label('line_status', status)}”，文件中为“{label('line_status', r.status)}”"
                )
        if not parsed.rows and not problems:
            problems.append("文件中没有明细行")
        if problems:
            raise ResultFileRejected(problems)
        now = timezone.now()
        paid = [r.line_id for r in changes if r.status == LineStatus.PAID]
        for chunk in _chunks(paid):
            PayrollLine.objects.filter(id__in=chunk).update(status=LineStatus.PAID, result_at=now)
        failed = [r for r in changes if r.status == LineStatus.FAILED]
        for r in failed:  # failures are few; each keeps its own reason
            PayrollLine.objects.filter(id=r.line_id).update(
                status=LineStatus.FAILED, failure_reason=r.reason, result_at=now
            )
        imp = BankResultImport.objects.create(
            payroll=p,
            sha256=digest,
            lines=len(parsed.rows),
            paid=len(paid),
            failed=len(failed),
            imported_by=user,
        )
        actor = Actor.of(user, client)
        record_audit(
            actor=actor,
            action="payroll.bank_result",
            object_type="payroll",
            object_id=p.pk,
            changes={
                "sha256": digest,
                "lines": len(parsed.rows),
                "paid": len(paid),
                "failed": len(failed),
                "total": str(sum((r.amount for r in parsed.rows), Decimal("0.00"))),
            },
        )
        relief_lines.mark_relief_paid(payroll_id=p.pk, on=clock.today(), actor=actor)
        mark_reconciled_if_complete(p, actor)
    return imp
