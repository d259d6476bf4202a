"""Writes of temporary relief and the township reserve fund. Each service checks the role, reads
the object through the scoped selectors, runs in one transaction and appends its audit record.

A payout locks the fund row (`SELECT … FOR UPDATE`) before reading the balance, so two payouts
from one fund run one after the other; the check constraints on the fund and on each entry's
balance after are the last line if anything else ever tried to overdraw it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.assessments import services as assessments
from safetynet.audit.services import Actor, record_audit
from safetynet.core import clock
from safetynet.core.errors import Conflict, PermissionDenied, ValidationFailed
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.models import Area
from safetynet.relief import selectors
from safetynet.relief.models import (
    FundEntry,
    PayMethod,
    ReliefApplication,
    ReliefKind,
    ReliefStatus,
    ReserveFund,
)
from safetynet.workdays.services import work_calendar

CENT = Decimal("0.01")
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def _require(user, perm: Perm, what: str) -> None:
    if not user.can(perm):
        raise PermissionDenied(f"您的角色无权{what}。")


def _text(value, field: str, label: str, *, required: bool = True, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{label}不能超过{max_length}个字。", field=field)
    return value


def _money(value, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{label}须为金额（元），如 1200 或 1200.50。", field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(f"{label}须大于0元。", field=field)
    if amount != amount.quantize(CENT) or amount >= Decimal("1e10"):
        raise ValidationFailed(f"{label}最多精确到分。", field=field)
    return amount.quantize(CENT)


def _params(code: str, on: dt.date):
    return assessments.parameter_set(code).on(on)


def relief_limits(code: str, kind: str, on: dt.date) -> dict:
    """临时救助金额规则: the most one grant may be (a multiple of the month's rural 低保 standard,
    by kind) and the township's approval limit, as the parameters in force on `on` give them."""
    p = _params(code, on)
    multiple = p[
        "relief.emergency_max_multiple" if kind == ReliefKind.EMERGENCY else "relief.expenditure_max_multiple"
    ]
    standard = Decimal(str(p["dibao.standard_monthly.rural"]))
    return {
        "max": (Decimal(str(multiple)) * standard).quantize(CENT, ROUND_HALF_UP),
        "township_limit": Decimal(str(p["relief.township_limit"])).quantize(CENT),
        "paperwork_days": int(p["relief.first_paperwork_working_days"]),
        "version": p.version,
    }


def _audit(user, client, action, app_or_fund, changes, reason="", object_type="relief") -> None:
    record_audit(
        actor=Actor.of(user, client),
        action=action,
        object_type=object_type,
        object_id=app_or_fund.pk,
        changes=changes,
        reason=reason,
    )


# ---- applications --------------------------------------------------------------------------------


def apply_relief(
    *,
    user,
    kind: str,
    reason: str,
    amount_asked,
    household_id=None,
    village: str = "",
    applicant_name: str = "",
    applicant_id_number: str = "",
    applicant_phone: str = "",
    client: str = "",
) -> ReliefApplication:
    """申请临时救助 for a registered household (`household_id`) or for someone outside the register
    met in a village (or, at the township, in the township: `village` is then the township's code)."""
    _require(user, Perm.APPLY_RELIEF, "受理临时救助申请")
    if kind not in ReliefKind.values:
        raise ValidationFailed("请选择救助类型（急难型或支出型）。", field="kind")
    reason = _text(reason, "reason", "申请理由")
    amount = _money(amount_asked, "amount_asked", "申请金额")
    if household_id not in (None, ""):
        household = registry_selectors.get_household(user, household_id)
        area, township = household.village, household.village.parent
        name = (
            household.head.name
            if household.head_id
            else _text(applicant_name, "applicant_name", "申请人姓名")
        )
        outside = False
    else:
        household = None
        name = _text(applicant_name, "applicant_name", "申请人姓名（未在册人员）", max_length=60)
        area = _area_in_reach(user, village)
        township = area if area.level == Area.Level.TOWNSHIP else area.parent
        outside = True
    with transaction.atomic():
        app = ReliefApplication.objects.create(
            township=township,
            area=area,
            household=household,
            applicant_name=name,
            applicant_id_number=(applicant_id_number or "").strip()[:18],
            applicant_phone=(applicant_phone or "").strip()[:20],
            outside_register=outside,
            kind=kind,
            reason=reason,
            amount_asked=amount,
            created_by=user,
        )
        _audit(
            user,
            client,
            "relief.apply",
            app,
            {
                "kind": [None, kind],
                "amount_asked": [None, str(amount)],
                "household": [None, app.household_id],
            },
        )
    return app


def _area_in_reach(user, code: str) -> Area:
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("请选择所在村（社区）或乡镇。", field="village")
    area = registry_selectors.areas_visible_to(user).filter(code=code).first()
    if area is None or area.level not in (Area.Level.VILLAGE, Area.Level.TOWNSHIP):
        raise ValidationFailed(f"未找到村（社区）或乡镇{code}，或不在您的管辖范围内。", field="village")
    return area


def _lock(user, app) -> ReliefApplication:
    app = selectors.get_application(user, getattr(app, "pk", app))
    return ReliefApplication.objects.select_for_update().select_related("township", "area").get(pk=app.pk)


# ---- the reserve fund ------------------------------------------------------------------------------


def _locked_fund(township: Area) -> ReserveFund:
    ReserveFund.objects.get_or_create(township=township)
    return ReserveFund.objects.select_for_update().get(township=township)


def _entry(
    *, fund: ReserveFund, kind: str, amount: Decimal, user, on, note="", application=None
) -> FundEntry:
    """Append one ledger entry and move the balance (the fund row is locked by the caller)."""
    if kind == FundEntry.Kind.PAYOUT:
        if amount > fund.balance:
            raise Conflict(
                f"备用金余额不足：当前余额{fund.balance}元，本次支付{amount}元。",
                code="fund_insufficient",
                field="amount",
            )
        fund.balance -= amount
    else:
        fund.balance += amount
    fund.save(update_fields=["balance"])
    return FundEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        balance_after=fund.balance,
        application=application,
        note=note,
        on=on,
        created_by=user,
    )


def allocate_reserve(*, user, township: str, amount, note: str = "", client: str = "") -> FundEntry:
    """县级拨付备用金 to a township."""
    _require(user, Perm.ALLOCATE_RESERVE, "拨付备用金")
    area = selectors.get_township(user, township)
    amount = _money(amount, "amount", "拨付金额")
    note = _text(note, "note", "拨付说明", required=False, max_length=500)
    with transaction.atomic():
        fund = _locked_fund(area)
        entry = _entry(
            fund=fund, kind=FundEntry.Kind.ALLOCATION, amount=amount, user=user, on=clock.today(), note=note
        )
        _audit(
            user,
            client,
            "relief.fund_allocate",
            fund,
            {"balance": [str(fund.balance - amount), str(fund.balance)]},
            note,
            "reserve_fund",
        )
    return entry


def record_return(
    *, user, township: str, amount, note: str, application_id=None, client: str = ""
) -> FundEntry:
    """退回备用金: money coming back into the fund (relief paid first and not granted, recovered)."""
    _require(user, Perm.DECIDE_RELIEF, "登记备用金退回")
    area = selectors.get_township(user, township)
    amount = _money(amount, "amount", "退回金额")
    note = _text(note, "note", "退回说明", max_length=500)
    app = selectors.get_application(user, application_id) if application_id not in (None, "") else None
    if app is not None and app.township_id != area.pk:
        raise ValidationFailed("该申请不属于此乡镇。", field="application_id")
    with transaction.atomic():
        fund = _locked_fund(area)
        entry = _entry(
            fund=fund,
            kind=FundEntry.Kind.RETURN,
            amount=amount,
            user=user,
            on=clock.today(),
            note=note,
            application=app,
        )
        _audit(
            user,
            client,
            "relief.fund_return",
            fund,
            {"balance": [str(fund.balance - amount), str(fund.balance)]},
            note,
            "reserve_fund",
        )
    return entry


def _township_user(user, app: ReliefApplication) -> None:
    """Only the township's own staff pay from its fund (a county user has no fund to pay from)."""
    if not (user.area_id and user.area.code == app.township.code):
        raise PermissionDenied("只有本乡镇的工作人员可以动用本乡镇备用金。")


def pay_relief_first(*, user, application, amount, client: str = "") -> ReliefApplication:
    """先行救助: for 急难型, pay at once from the township's reserve fund; the paperwork
    (investigation, verification, decision) is due within `relief.first_paperwork_working_days`."""
    _require(user, Perm.DECIDE_RELIEF, "先行救助")
    amount = _money(amount, "amount", "先行救助金额")
    today = clock.today()
    with transaction.atomic():
        app = _lock(user, application)
        _township_user(user, app)
        if app.kind != ReliefKind.EMERGENCY:
            raise Conflict("只有急难型临时救助可以先行救助。", code="not_emergency", field="kind")
        if app.status != ReliefStatus.APPLIED:
            raise Conflict(f"该申请当前为“{app.get_status_display()}”，不能先行救助。", code="relief_state")
        limits = relief_limits(app.township.code, app.kind, today)
        if amount > limits["max"]:
            raise ValidationFailed(
                f"先行救助金额不得超过{limits['max']}元（急难型救助上限）。", field="amount"
            )
        fund = _locked_fund(app.township)
        entry = _entry(
            fund=fund,
            kind=FundEntry.Kind.PAYOUT,
            amount=amount,
            user=user,
            on=today,
            note=f"{app.reference} 先行救助",
            application=app,
        )
        due = work_calendar().add_working_days(today, limits["paperwork_days"])
        app.status, app.pay_method = ReliefStatus.PAID_FIRST, PayMethod.RESERVE
        app.paid_first_amount, app.paid_first_on = amount, today
        app.paperwork_due, app.paperwork_due_provisional = due.date, due.provisional
        app.parameters_version = limits["version"]
        app.save()
        _audit(
            user,
            client,
            "relief.pay_first",
            app,
            {
                "status": [ReliefStatus.APPLIED, app.status],
                "paid_first_amount": [None, str(amount)],
                "fund_entry": [None, entry.pk],
                "paperwork_due": [None, due.date.isoformat()],
            },
        )
    return app


def decide_relief(
    *, user, application, approve: bool, amount=None, pay_method: str = "", note: str = "", client: str = ""
) -> ReliefApplication:
    """乡镇审批: refuse with a reason, or grant an amount within the kind's maximum. Above the
    township limit the grant goes to the county. After 先行救助 this is the paperwork that follows;
    a grant equal to what was paid first closes it, a higher one pays the rest by `pay_method`."""
    _require(user, Perm.DECIDE_RELIEF, "审批临时救助")
    today = clock.today()
    with transaction.atomic():
        app = _lock(user, application)
        _township_user(user, app)
        if app.status not in (ReliefStatus.APPLIED, ReliefStatus.PAID_FIRST):
            raise Conflict(f"该申请当前为“{app.get_status_display()}”，不能审批。", code="relief_state")
        before = app.status
        if not approve:
            app.decision_note = _text(note, "note", "不予救助的理由")
            app.status, app.decided_on = ReliefStatus.REFUSED, today
        else:
            granted = _money(amount, "amount", "批准金额")
            limits = relief_limits(app.township.code, app.kind, today)
            if granted > limits["max"]:
                raise ValidationFailed(
                    f"批准金额不得超过{limits['max']}元（{app.get_kind_display()}救助上限）。", field="amount"
                )
            first = app.paid_first_amount or Decimal("0")
            if granted < first:
                raise ValidationFailed(
                    f"已先行救助{first}元，批准金额不得低于该数；多付部分请不予救助后登记退回。",
                    field="amount",
                )
            rest = granted - first
            if rest > 0 and pay_method not in (PayMethod.TRANSFER, PayMethod.CASH):
                raise ValidationFailed("请选择发放方式（纳入发放名册或现金）。", field="pay_method")
            if rest > 0 and pay_method == PayMethod.TRANSFER and app.household_id is None:
                raise ValidationFailed("未在册人员不能纳入发放名册，请选择现金发放。", field="pay_method")
            app.amount_granted, app.decided_on = granted, today
            app.decision_note = _text(note, "note", "审批意见", required=False)
            app.parameters_version = limits["version"]
            if rest > 0:
                app.pay_method = pay_method
            if granted > limits["township_limit"]:
                app.status = ReliefStatus.COUNTY
            else:
                app.status = ReliefStatus.APPROVED if rest > 0 else ReliefStatus.PAID
                if rest == 0:
                    app.paid_on = today
        app.save()
        _audit(
            user,
            client,
            "relief.decide",
            app,
            {"status": [before, app.status], "amount_granted": [None, str(app.amount_granted or "")]},
            app.decision_note,
        )
    return app


def county_decide_relief(
    *, user, application, approve: bool, note: str = "", client: str = ""
) -> ReliefApplication:
    """县级审批 of a grant above the township limit."""
    _require(user, Perm.APPROVE_RELIEF, "审批超出乡镇额度的临时救助")
    with transaction.atomic():
        app = _lock(user, application)
        if app.status != ReliefStatus.COUNTY:
            raise Conflict(
                f"该申请当前为“{app.get_status_display()}”，不在县级审批环节。", code="relief_state"
            )
        if approve:
            paid_all = (app.paid_first_amount or 0) >= app.amount_granted
            app.status = ReliefStatus.PAID if paid_all else ReliefStatus.APPROVED
            app.decision_note = _text(note, "note", "审批意见", required=False)
        else:
            app.status = ReliefStatus.REFUSED
            app.decision_note = _text(note, "note", "不予批准的理由")
        app.decided_on = clock.today()
        app.save()
        _audit(
            user,
            client,
            "relief.county_decide",
            app,
            {"status": [ReliefStatus.COUNTY, app.status]},
            app.decision_note,
        )
    return app


def record_cash_payment(*, user, application, receipt, client: str = "") -> ReliefApplication:
    """现金发放: the rest of an approved grant paid in cash from the reserve fund, with the signed
    receipt uploaded (stored encrypted at rest)."""
    _require(user, Perm.DECIDE_RELIEF, "登记现金发放")
    if receipt is None:
        raise ValidationFailed("请上传领款收据（PDF或图片）。", field="receipt")
    content_type = getattr(receipt, "content_type", "") or ""
    if content_type not in RECEIPT_TYPES:
        raise ValidationFailed("领款收据须为PDF、JPEG或PNG文件。", field="receipt")
    if receipt.size > MAX_RECEIPT_BYTES or receipt.size == 0:
        raise ValidationFailed("领款收据不能为空，且不能超过10MB。", field="receipt")
    today = clock.today()
    with transaction.atomic():
        app = _lock(user, application)
        _township_user(user, app)
        if app.status != ReliefStatus.APPROVED or app.pay_method != PayMethod.CASH:
            raise Conflict("只有已批准且选择现金发放的申请可以登记现金发放。", code="relief_state")
        rest = app.amount_granted - (app.paid_first_amount or 0)
        fund = _locked_fund(app.township)
        entry = _entry(
            fund=fund,
            kind=FundEntry.Kind.PAYOUT,
            amount=rest,
            user=user,
            on=today,
            note=f"{app.reference} 现金发放",
            application=app,
        )
        data = receipt.read()
        name = getattr(receipt, "name", "receipt")[-200:]
        from django.core.files.base import ContentFile

        app.receipt.save(
            f"{app.reference}-{hashlib.sha256(data).hexdigest()[:12]}", ContentFile(data), save=False
        )
        app.receipt_name, app.status, app.paid_on = name, ReliefStatus.PAID, today
        app.save()
        _audit(
            user,
            client,
            "relief.pay_cash",
            app,
            {
                "status": [ReliefStatus.APPROVED, ReliefStatus.PAID],
                "fund_entry": [None, entry.pk],
                "receipt": [None, name],
            },
        )
    return app
