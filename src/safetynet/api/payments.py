"""Paying the benefits: payrolls and their chain, lines (accounts masked), bank files, bank results,
the worklist of failed payments, payee accounts and a household's payment history.

A shell: parse, call `payments.services`/`selectors`, render. Errors are the one JSON shape; a
rejected bank result file adds `problems`, every one named."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from safetynet.api.auth import client_of
from safetynet.api.schemas import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, MAX_OFFSET, ErrorOut, In
from safetynet.core.masking import mask_bank_account, mask_name
from safetynet.core.paging import window
from safetynet.payments import accounts, bank, selectors, services

router = Router(tags=["payments"])


class TotalOut(Schema):
    township: str
    category: str
    funding: str
    lines: int
    amount: str


class ReconciliationOut(Schema):
    due: str
    paid: str
    failed: str
    pending: str
    balanced: bool
    complete: bool


class FlagOut(Schema):
    kind: str
    household_id: int
    person_id: int | None
    amount: str | None
    detail: str


class ReceivableOut(Schema):
    id: int
    household_id: int
    amount: str
    recovered: str
    status: str
    reason: str
    months: list[str] = Field(..., description="多发的待遇月份（YYYY-MM）")


class PayrollOut(Schema):
    id: int
    township: str
    township_name: str
    month: str = Field(..., description="发放月份（YYYY-MM）")
    status: str
    generated_at: dt.datetime | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    released_at: dt.datetime | None
    release_override_reason: str
    totals: list[TotalOut]
    reconciliation: ReconciliationOut
    flags: list[FlagOut]
    receivables: list[ReceivableOut]
    banks: list[str]


class PayrollSummaryOut(Schema):
    id: int
    township: str
    township_name: str
    month: str
    status: str


class LineOut(Schema):
    id: int
    kind: str
    benefit_month: str
    household_id: int
    payee_id: int
    payee_name: str = Field(..., description="领取人姓名（脱敏）")
    category: str
    funding: str
    amount: str
    bank: str
    account: str = Field(..., description="账号（脱敏，仅后四位）")
    status: str
    failure_reason: str


class LinesOut(Schema):
    count: int
    items: list[LineOut]


class GenerateIn(In):
    township: str = Field(..., pattern=r"^\d{9}$", description="乡镇代码（9位）")
    month: str = Field(..., pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="发放月份 YYYY-MM")


class ReasonIn(In):
    reason: str = Field(..., max_length=2000)


class ApproveIn(In):
    acknowledge_flags: bool = False
    note: str = Field("", max_length=2000)


class ReleaseIn(In):
    override_reason: str = Field("", max_length=2000)


class BankFileIn(In):
    bank: str = Field(..., max_length=64)
    fmt: str = Field("csv", pattern=r"^(csv|xlsx)$")


class ImportOut(Schema):
    id: int
    lines: int
    paid: int
    failed: int
    reconciliation: ReconciliationOut


class RejectedOut(ErrorOut):
    problems: list[str]


class AccountIn(In):
    kind: str = Field(..., max_length=24, description="social_security_card / bank_card / yikatong")
    bank: str = Field(..., max_length=64)
    account: str = Field(..., max_length=40)
    reason: str = Field(..., max_length=2000)


class AccountOut(Schema):
    person_id: int
    kind: str
    bank: str
    account: str = Field(..., description="账号（脱敏）")


class ReissueOut(Schema):
    id: int
    released_for_reissue: bool


class HistoryOut(Schema):
    month: str
    paid_in: str
    kind: str
    category: str
    payee: str
    amount: str
    status: str
    failure_reason: str


def _rec(p) -> dict:
    r = selectors.reconciliation(p)
    return {
        "due": str(r.due),
        "paid": str(r.paid),
        "failed": str(r.failed),
        "pending": str(r.pending),
        "balanced": r.balanced,
        "complete": r.complete,
    }


def _payroll(p) -> dict:
    return {
        "id": p.pk,
        "township": p.township.code,
        "township_name": p.township.name,
        "month": p.month.strftime("%Y-%m"),
        "status": p.status,
        "generated_at": p.generated_at,
        "submitted_at": p.submitted_at,
        "approved_at": p.approved_at,
        "released_at": p.released_at,
        "release_override_reason": p.release_override_reason,
        "totals": [{**t.__dict__, "amount": str(t.amount)} for t in selectors.totals_of(p)],
        "reconciliation": _rec(p),
        "flags": [
            {
                "kind": f.kind,
                "household_id": f.household_id,
                "person_id": f.person_id,
                "amount": None if f.amount is None else str(f.amount),
                "detail": f.detail,
            }
            for f in p.flags.all()
        ],
        "receivables": [
            {
                "id": r.pk,
                "household_id": r.household_id,
                "amount": str(r.amount),
                "recovered": str(r.recovered),
                "status": r.status,
                "reason": r.reason,
                "months": [m.benefit_month.strftime("%Y-%m") for m in r.months.all()],
            }
            for r in p.receivables.prefetch_related("months")
        ],
        "banks": bank.banks_of(p),
    }


def _summary(p) -> dict:
    return {
        "id": p.pk,
        "township": p.township.code,
        "township_name": p.township.name,
        "month": p.month.strftime("%Y-%m"),
        "status": p.status,
    }


@router.get("/payrolls", response={200: list[PayrollSummaryOut], **ERRORS}, summary="发放名册")
def list_payrolls(request, month: str | None = Query(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")):  # noqa: B008
    qs = selectors.payrolls_visible_to(request.auth)
    if month:
        qs = qs.filter(month=dt.date.fromisoformat(f"{month}-01"))
    return [_summary(p) for p in qs[:500]]


@router.post("/payrolls", response={201: PayrollOut, **ERRORS}, summary="生成（或重新生成）乡镇当月发放名册")
def generate(request, payload: GenerateIn):
    p = services.generate_payroll(
        user=request.auth,
        township=payload.township,
        month=dt.date.fromisoformat(f"{payload.month}-01"),
        client=client_of(request),
    )
    return Status(201, _payroll(p))


@router.get("/payrolls/{int:payroll_id}", response={200: PayrollOut, **ERRORS}, summary="发放名册详情与合计")
def detail(request, payroll_id: int):
    return _payroll(selectors.get_payroll(request.auth, payroll_id))


@router.get(
    "/payrolls/{int:payroll_id}/lines", response={200: LinesOut, **ERRORS}, summary="发放明细（脱敏）"
)
def lines(
    request,
    payroll_id: int,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
    offset: int = Query(0, ge=0, le=MAX_OFFSET),  # noqa: B008
):
    qs = selectors.lines_of(request.auth, payroll_id)
    items = [
        {
            "id": x.pk,
            "kind": x.kind,
            "benefit_month": x.benefit_month.strftime("%Y-%m"),
            "household_id": x.household_id,
            "payee_id": x.payee_id,
            "payee_name": mask_name(x.payee.name),
            "category": x.category,
            "funding": x.funding,
            "amount": str(x.amount),
            "bank": x.bank,
            "account": mask_bank_account(x.account),
            "status": x.status,
            "failure_reason": x.failure_reason,
        }
        for x in window(qs, offset, limit)
    ]
    return {"count": qs.count(), "items": items}


@router.post("/payrolls/{int:payroll_id}/submit", response={200: PayrollOut, **ERRORS}, summary="乡镇提交")
def submit(request, payroll_id: int):
    return _payroll(services.submit_payroll(user=request.auth, payroll=payroll_id, client=client_of(request)))


@router.post(
    "/payrolls/{int:payroll_id}/return", response={200: PayrollOut, **ERRORS}, summary="县民政局退回"
)
def send_back(request, payroll_id: int, payload: ReasonIn):
    p = services.return_payroll(
        user=request.auth, payroll=payroll_id, reason=payload.reason, client=client_of(request)
    )
    return _payroll(p)


@router.post(
    "/payrolls/{int:payroll_id}/approve", response={200: PayrollOut, **ERRORS}, summary="县民政局审批"
)
def approve(request, payroll_id: int, payload: ApproveIn):
    p = services.approve_payroll(
        user=request.auth,
        payroll=payroll_id,
        acknowledge_flags=payload.acknowledge_flags,
        note=payload.note,
        client=client_of(request),
    )
    return _payroll(p)


@router.post("/payrolls/{int:payroll_id}/release", response={200: PayrollOut, **ERRORS}, summary="发放至银行")
def release(request, payroll_id: int, payload: ReleaseIn):
    p = services.release_payroll(
        user=request.auth,
        payroll=payroll_id,
        override_reason=payload.override_reason,
        client=client_of(request),
    )
    return _payroll(p)


@router.post(
    "/payrolls/{int:payroll_id}/bank-files",
    response={200: None, **ERRORS},
    summary="生成某银行的代发文件（解密账号，记入审计）",
)
def bank_file(request, payroll_id: int, payload: BankFileIn):
    name, data = bank.write_bank_file(
        user=request.auth, payroll=payroll_id, bank=payload.bank, fmt=payload.fmt, client=client_of(request)
    )
    kind = (
        "text/csv; charset=gbk"
        if payload.fmt == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@router.post(
    "/payrolls/{int:payroll_id}/bank-results",
    response={200: ImportOut, 422: RejectedOut, **ERRORS},
    summary="导入银行发放结果文件（GBK CSV）",
)
def bank_results(request, payroll_id: int, file: File[UploadedFile]):
    try:
        imp = bank.import_bank_result(
            user=request.auth, payroll=payroll_id, data=file.read(), client=client_of(request)
        )
    except bank.ResultFileRejected as err:
        return Status(422, err.as_dict())
    return {
        "id": imp.pk,
        "lines": imp.lines,
        "paid": imp.paid,
        "failed": imp.failed,
        "reconciliation": _rec(imp.payroll),
    }


@router.get("/payment-failures", response={200: list[LineOut], **ERRORS}, summary="发放失败待处理清单")
def failures(request):
    return [
        {
            "id": x.pk,
            "kind": x.kind,
            "benefit_month": x.benefit_month.strftime("%Y-%m"),
            "household_id": x.household_id,
            "payee_id": x.payee_id,
            "payee_name": mask_name(x.payee.name),
            "category": x.category,
            "funding": x.funding,
            "amount": str(x.amount),
            "bank": x.bank,
            "account": mask_bank_account(x.account),
            "status": x.status,
            "failure_reason": x.failure_reason,
        }
        for x in selectors.failed_worklist(request.auth)[:500]
    ]


@router.post(
    "/payment-lines/{int:line_id}/reissue", response={200: ReissueOut, **ERRORS}, summary="发放失败转下月重发"
)
def reissue(request, line_id: int, payload: ReasonIn):
    line = services.release_for_reissue(
        user=request.auth, line=line_id, reason=payload.reason, client=client_of(request)
    )
    return {"id": line.pk, "released_for_reissue": True}


@router.put(
    "/persons/{int:person_id}/payee-account", response={200: AccountOut, **ERRORS}, summary="变更发放账户"
)
def set_account(request, person_id: int, payload: AccountIn):
    a = accounts.set_payee_account(
        user=request.auth,
        person=person_id,
        kind=payload.kind,
        bank=payload.bank,
        account=payload.account,
        reason=payload.reason,
        client=client_of(request),
    )
    return {"person_id": a.person_id, "kind": a.kind, "bank": a.bank, "account": mask_bank_account(a.account)}


@router.get(
    "/households/{int:household_id}/payments",
    response={200: list[HistoryOut], **ERRORS},
    summary="户的逐月发放记录",
)
def history(request, household_id: int):
    return [
        {
            **h,
            "month": h["month"].strftime("%Y-%m"),
            "paid_in": h["paid_in"].strftime("%Y-%m"),
            "payee": mask_name(h["payee"]),
            "amount": str(h["amount"]),
        }
        for h in selectors.payment_history(request.auth, household_id)
    ]
