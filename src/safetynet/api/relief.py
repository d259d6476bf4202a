"""临时救助 and the township reserve fund: applications, 先行救助, decisions, cash with a receipt,
the fund's ledger and monthly statement, and the public notice of relief recipients.

A shell: parse, call `relief.services`/`selectors`, render. Errors are the one JSON shape."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from safetynet.api.auth import client_of
from safetynet.api.schemas import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, MAX_OFFSET, In
from safetynet.core.masking import mask_name
from safetynet.core.paging import window
from safetynet.relief import selectors, services

router = Router(tags=["relief"])
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class ApplyIn(In):
    kind: Literal["emergency", "expenditure"] = Field(
        ..., description="emergency 急难型 / expenditure 支出型"
    )
    reason: str
    amount_asked: str = Field(..., description="申请金额（元），如 1200.50")
    household_id: int | None = Field(None, description="在册家庭；未在册人员不填")
    village: str = Field("", description="未在册人员：所在村（社区）或乡镇代码")
    applicant_name: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""


class PayFirstIn(In):
    amount: str


class DecideIn(In):
    approve: bool
    amount: str | None = None
    pay_method: Literal["", "transfer", "cash"] = ""
    note: str = ""


class CountyDecideIn(In):
    approve: bool
    note: str = ""


class FundIn(In):
    township: str = Field(..., pattern=r"^\d{9}$")
    amount: str
    note: str = ""
    application_id: int | None = None


class ReliefOut(Schema):
    id: int
    reference: str
    township: str
    area: str
    household_id: int | None
    applicant_name: str
    outside_register: bool
    kind: str
    status: str
    amount_asked: str
    amount_granted: str | None
    paid_first_amount: str | None
    paperwork_due: dt.date | None
    pay_method: str
    decided_on: dt.date | None
    paid_on: dt.date | None
    has_receipt: bool


class EntryOut(Schema):
    id: int
    kind: str
    amount: str
    balance_after: str
    on: dt.date
    application_id: int | None
    note: str


class StatementOut(Schema):
    township: str
    month: str
    opening: str
    allocations: str
    payouts: str
    returns: str
    closing: str
    entries: list[EntryOut]


class NoticeOut(Schema):
    reference: str
    name: str
    area: str
    kind: str
    amount: str
    on: dt.date
    relief_first: bool


def _out(a) -> dict:
    s = lambda v: None if v is None else str(v)  # noqa: E731
    return {
        "id": a.pk,
        "reference": a.reference,
        "township": a.township.code,
        "area": a.area.code,
        "household_id": a.household_id,
        "applicant_name": mask_name(a.applicant_name),
        "outside_register": a.outside_register,
        "kind": a.kind,
        "status": a.status,
        "amount_asked": str(a.amount_asked),
        "amount_granted": s(a.amount_granted),
        "paid_first_amount": s(a.paid_first_amount),
        "paperwork_due": a.paperwork_due,
        "pay_method": a.pay_method,
        "decided_on": a.decided_on,
        "paid_on": a.paid_on,
        "has_receipt": bool(a.receipt),
    }


def _entry(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "amount": str(e.amount),
        "balance_after": str(e.balance_after),
        "on": e.on,
        "application_id": e.application_id,
        "note": e.note,
    }


@router.get("/relief", response={200: list[ReliefOut], **ERRORS}, summary="临时救助申请")
def list_relief(
    request,
    status: str = "",
    overdue: bool = False,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
    offset: int = Query(0, ge=0, le=MAX_OFFSET),  # noqa: B008
):
    qs = (
        selectors.paperwork_overdue(request.auth)
        if overdue
        else selectors.applications_visible_to(request.auth)
    )
    if status:
        qs = qs.filter(status=status)
    return [_out(a) for a in window(qs, offset, limit)]


@router.post("/relief", response={201: ReliefOut, **ERRORS}, summary="受理临时救助申请")
def apply(request, payload: ApplyIn):
    a = services.apply_relief(user=request.auth, client=client_of(request), **payload.dict())
    return Status(201, _out(a))


@router.get("/relief/{int:relief_id}", response={200: ReliefOut, **ERRORS}, summary="临时救助申请详情")
def detail(request, relief_id: int):
    return _out(selectors.get_application(request.auth, relief_id))


@router.post(
    "/relief/{int:relief_id}/pay-first", response={200: ReliefOut, **ERRORS}, summary="先行救助（备用金）"
)
def pay_first(request, relief_id: int, payload: PayFirstIn):
    a = services.pay_relief_first(
        user=request.auth, application=relief_id, amount=payload.amount, client=client_of(request)
    )
    return _out(a)


@router.post("/relief/{int:relief_id}/decision", response={200: ReliefOut, **ERRORS}, summary="乡镇审批")
def decide(request, relief_id: int, payload: DecideIn):
    a = services.decide_relief(
        user=request.auth, application=relief_id, client=client_of(request), **payload.dict()
    )
    return _out(a)


@router.post(
    "/relief/{int:relief_id}/county-decision", response={200: ReliefOut, **ERRORS}, summary="县级审批"
)
def county_decide(request, relief_id: int, payload: CountyDecideIn):
    a = services.county_decide_relief(
        user=request.auth, application=relief_id, client=client_of(request), **payload.dict()
    )
    return _out(a)


@router.post(
    "/relief/{int:relief_id}/cash", response={200: ReliefOut, **ERRORS}, summary="现金发放（上传收据）"
)
def cash(request, relief_id: int, receipt: File[UploadedFile]):
    a = services.record_cash_payment(
        user=request.auth, application=relief_id, receipt=receipt, client=client_of(request)
    )
    return _out(a)


@router.post("/reserve-fund/allocations", response={201: EntryOut, **ERRORS}, summary="县级拨付备用金")
def allocate(request, payload: FundIn):
    e = services.allocate_reserve(
        user=request.auth,
        township=payload.township,
        amount=payload.amount,
        note=payload.note,
        client=client_of(request),
    )
    return Status(201, _entry(e))


@router.post("/reserve-fund/returns", response={201: EntryOut, **ERRORS}, summary="备用金退回")
def give_back(request, payload: FundIn):
    e = services.record_return(client=client_of(request), user=request.auth, **payload.dict())
    return Status(201, _entry(e))


@router.get(
    "/reserve-fund/{township}/statement", response={200: StatementOut, **ERRORS}, summary="备用金月报"
)
def statement(request, township: str, month: str = Query(..., pattern=MONTH)):  # noqa: B008
    s = selectors.monthly_statement(request.auth, township, dt.date.fromisoformat(f"{month}-01"))
    return {
        "township": s.township.code,
        "month": s.month.strftime("%Y-%m"),
        **{k: str(getattr(s, k)) for k in ("opening", "allocations", "payouts", "returns", "closing")},
        "entries": [_entry(e) for e in s.entries],
    }


@router.get(
    "/relief-notice/{township}",
    response={200: list[NoticeOut], **ERRORS},
    summary="临时救助公示（谁救助谁公示）",
)
def notice(request, township: str, month: str = Query(..., pattern=MONTH)):  # noqa: B008
    selectors.get_township(request.auth, township)
    rows = selectors.public_notice(township, dt.date.fromisoformat(f"{month}-01"))
    return [{**r, "amount": str(r["amount"]), "relief_first": r.pop("first")} for r in rows]
