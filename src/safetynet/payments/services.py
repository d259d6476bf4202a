"""The payroll's chain: generate (township), submit, approve (county civil affairs), release;
the worklist's reissue and the recording of recovered amounts.

Every step runs in one transaction with the payroll row locked, checks the permission and the
state, writes, and appends its audit record with the totals it saw. A draft can be generated again
(it is replaced whole); an approved payroll is never changed: its lines are committed, and the
partial unique indexes of `models.PayrollLine` then refuse any second payment of a benefit month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.assessments.services import parameter_set
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safetynet.core.glossary import label
from safetynet.core.money import parse_yuan
from safetynet.entitlements.models import Entitlement
from safetynet.payments import generation, relief_lines
from safetynet.payments.models import (
    BASE_KINDS,
    DesignatedPayee,
    LineStatus,
    PayeeAccount,
    Payroll,
    PayrollFlag,
    PayrollLine,
    Receivable,
    ReceivableMonth,
    Recovery,
)
from safetynet.payments.selectors import (
    CENT,
    first_of_month,
    get_payroll,
    reconciliation,
    totals,
)
from safetynet.registry.models import Area, Household

S = Payroll.Status
PAID_MONTHS = (S.APPROVED, S.RELEASED, S.RECONCILED)
# The parameters whose absence makes a month unpayable: the 低保 standard (the household amounts
# were computed from it; a month before any standard is outside the parameter history).
STANDARD_PARAMETERS = ("dibao.standard_monthly.rural", "dibao.standard_monthly.urban")


def _require(user, perm: Perm, what: str) -> None:
    if not user.can(perm):
        raise PermissionDenied(f"您的角色无权{what}。")


def _text(value, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"请填写{what}。", code="reason_required", field=field)
    if len(value) > 2000:
        raise ValidationFailed(f"{what}不能超过2000个字。", field=field)
    return value


def _locked(user, payroll) -> Payroll:
    p = get_payroll(user, getattr(payroll, "pk", payroll))
    return Payroll.objects.select_for_update().select_related("township").get(pk=p.pk)


def _state(p: Payroll, *allowed: str) -> None:
    if p.status not in allowed:
        raise Conflict(
            f"发放名册当前为“{label('payroll_status', p.status)}”，不能执行此操作。",
            code="payroll_state",
            field="status",
        )


def _summary(p: Payroll) -> dict:
    rec = reconciliation(p)
    return {
        "township": p.township.code,
        "month": p.month.strftime("%Y-%m"),
        "lines": rec.lines,
        "total": str(rec.due),
        "by_category": {
            f"{t.funding}/{t.category}": [t.lines, str(t.amount)]
            for t in totals(Payroll.objects.filter(pk=p.pk))
        },
    }


def _township(user, code: str) -> Area:
    code = str(code or "")
    prefix = user.area.code if user.area_id else None
    area = Area.objects.filter(code=code, level=Area.Level.TOWNSHIP).first()
    if area is None or prefix is None or not code.startswith(prefix):
        raise NotFound(
            f"未找到乡镇 {code}，或不在您的管辖范围内。", code="township_not_found", field="township"
        )
    return area


def _check_standard(township: Area, month: dt.date) -> str:
    params = parameter_set(township.code).on(month)
    for name in STANDARD_PARAMETERS:
        if name not in params:
            raise ValidationFailed(
                f"{month:%Y年%m月}没有生效的低保标准（参数 {name}），不能生成发放名册。",
                code="standard_missing",
                field=name,
            )
    return params.version


def _receivable_reason(row: Entitlement | None, months: list[dt.date], amount: Decimal) -> str:
    when = "、".join(f"{m:%Y年%m月}" for m in months)
    if row is not None and row.valid_until is not None:
        why = f"待遇已于{row.valid_until:%Y年%m月%d日}终止（{row.get_end_basis_display() or '到期'}）"
    else:
        why = "待遇追溯变更后金额降低"
    return f"{why}，{when}已发放，多发{amount}元，应予追回。"


def _record_overpaid(p: Payroll, months: list[dt.date]) -> int:
    found = generation.overpaid(township_code=p.township.code, month=p.month, months=months)
    by_household: dict[int, list[generation.Overpaid]] = defaultdict(list)
    for o in found:
        by_household[o.household_id].append(o)
    for hid, items in by_household.items():
        amount = sum((Decimal(str(o.amount)).quantize(CENT) for o in items), Decimal("0.00"))
        latest = Entitlement.objects.filter(household_id=hid).order_by("-valid_from").first()
        rec = Receivable.objects.create(
            payroll=p,
            household_id=hid,
            benefit_key=items[0].benefit_key,
            amount=amount,
            reason=_receivable_reason(latest, sorted({o.month for o in items}), amount),
        )
        ReceivableMonth.objects.bulk_create(
            ReceivableMonth(
                receivable=rec,
                benefit_key=o.benefit_key,
                benefit_month=o.month,
                entitlement_id=o.entitlement_id,
                amount=Decimal(str(o.amount)).quantize(CENT),
            )
            for o in items
        )
    return len(by_household)


def _open_payroll(township: Area, month: dt.date) -> Payroll:
    try:
        with transaction.atomic():
            Payroll.objects.get_or_create(township=township, month=month)
    except IntegrityError:  # created at the same moment by another generation: use that one
        pass
    return Payroll.objects.select_for_update().select_related("township").get(township=township, month=month)


def generate_payroll(*, user, township: str, month: dt.date, client: str = "") -> Payroll:
    """Generate (or generate again) the township's draft payroll for `month`."""
    _require(user, Perm.PREPARE_PAYROLL, "生成发放名册")
    area = _township(user, township)
    month = first_of_month(month)
    version = _check_standard(area, month)
    with transaction.atomic():
        p = _open_payroll(area, month)
        _state(p, S.DRAFT)
        PayrollFlag.objects.filter(payroll=p).delete()
        Receivable.objects.filter(payroll=p, status=Receivable.Status.PROPOSED).delete()
        PayrollLine.objects.filter(payroll=p).delete()
        months = sorted(
            {month}
            | set(
                Payroll.objects.filter(township=area, month__lt=month, status__in=PAID_MONTHS).values_list(
                    "month", flat=True
                )
            )
        )
        generation.insert_lines(payroll_id=p.pk, township_code=area.code, month=month, months=months)
        relief_lines.insert_relief_lines(payroll_id=p.pk, township_code=area.code)
        generation.insert_flags(payroll_id=p.pk, township_code=area.code, month=month)
        receivables = _record_overpaid(p, months)
        p.generated_at, p.generated_by, p.parameters_version = timezone.now(), user, version
        p.save(update_fields=["generated_at", "generated_by", "parameters_version"])
        summary = _summary(p)
        summary.update(receivables=receivables, flags=PayrollFlag.objects.filter(payroll=p).count())
        record_audit(
            actor=Actor.of(user, client),
            action="payroll.generate",
            object_type="payroll",
            object_id=p.pk,
            changes=summary,
        )
    return p


def submit_payroll(*, user, payroll, client: str = "") -> Payroll:
    _require(user, Perm.PREPARE_PAYROLL, "提交发放名册")
    with transaction.atomic():
        p = _locked(user, payroll)
        _state(p, S.DRAFT)
        if p.generated_at is None:
            raise ValidationFailed("请先生成发放名册。", code="not_generated", field="payroll")
        p.status, p.submitted_at, p.submitted_by = S.SUBMITTED, timezone.now(), user
        p.save(update_fields=["status", "submitted_at", "submitted_by"])
        record_audit(
            actor=Actor.of(user, client),
            action="payroll.submit",
            object_type="payroll",
            object_id=p.pk,
            changes=_summary(p),
        )
    return p


def return_payroll(*, user, payroll, reason: str, client: str = "") -> Payroll:
    """County civil affairs sends a submitted payroll back to the township as a draft."""
    _require(user, Perm.APPROVE_PAYROLL, "退回发放名册")
    reason = _text(reason, "reason", "退回理由")
    with transaction.atomic():
        p = _locked(user, payroll)
        _state(p, S.SUBMITTED)
        p.status, p.submitted_at, p.submitted_by = S.DRAFT, None, None
        p.save(update_fields=["status", "submitted_at", "submitted_by"])
        record_audit(
            actor=Actor.of(user, client),
            action="payroll.return",
            object_type="payroll",
            object_id=p.pk,
            changes=_summary(p),
            reason=reason,
        )
    return p


def _duplicates(p: Payroll) -> str:
    """The benefit months of `p` already committed in another payroll (for the refusal)."""
    mine = PayrollLine.objects.filter(
        payroll=p,
        kind__in=BASE_KINDS,
        benefit_key=OuterRef("benefit_key"),
        benefit_month=OuterRef("benefit_month"),
    )
    clash = (
        PayrollLine.objects.filter(committed=True, kind__in=BASE_KINDS)
        .exclude(payroll=p)
        .filter(Exists(mine))
        .select_related("payroll__township", "beneficiary", "payee")[:5]
    )
    return "；".join(
        f"{(c.beneficiary or c.payee).name}（户{c.household_id}）{c.benefit_month:%Y年%m月}"
        f"已列入{c.payroll.township.name}{c.payroll.month:%Y年%m月}名册"
        for c in clash
    )


def approve_payroll(
    *, user, payroll, acknowledge_flags: bool = False, note: str = "", client: str = ""
) -> Payroll:
    _require(user, Perm.APPROVE_PAYROLL, "审批发放名册")
    with transaction.atomic():
        p = _locked(user, payroll)
        _state(p, S.SUBMITTED)
        n_flags = PayrollFlag.objects.filter(payroll=p).count()
        if n_flags and not acknowledge_flags:
            raise ValidationFailed(
                f"名册有{n_flags}条疑点，请逐条核实后确认再审批。",
                code="flags_open",
                field="acknowledge_flags",
            )
        try:
            with transaction.atomic():
                PayrollLine.objects.filter(payroll=p).update(committed=True)
        except IntegrityError:
            raise Conflict(
                "名册中有待遇月份已在其他已审批名册中发放，不能重复发放："
                + (_duplicates(p) or "请重新生成名册。"),
                code="already_paid",
                field="lines",
            ) from None
        Receivable.objects.filter(payroll=p, status=Receivable.Status.PROPOSED).update(
            status=Receivable.Status.OPEN
        )
        p.status, p.approved_at, p.approved_by = S.APPROVED, timezone.now(), user
        p.save(update_fields=["status", "approved_at", "approved_by"])
        summary = _summary(p)
        summary["flags_acknowledged"] = n_flags
        record_audit(
            actor=Actor.of(user, client),
            action="payroll.approve",
            object_type="payroll",
            object_id=p.pk,
            changes=summary,
            reason=(note or "").strip(),
        )
    return p


def release_payroll(*, user, payroll, override_reason: str = "", client: str = "") -> Payroll:
    """Release to the bank; refused while the previous month's payroll of the township is not
    reconciled, unless the county approver overrides with a reason."""
    _require(user, Perm.RELEASE_PAYROLL, "发放")
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        p = _locked(user, payroll)
        _state(p, S.APPROVED)
        # The latest earlier payroll of the township, not only the calendar's previous month: a
        # skipped month must not let an unreconciled payroll before it go unnoticed.
        prev = Payroll.objects.filter(township=p.township, month__lt=p.month).order_by("-month").first()
        if prev is not None and prev.status != S.RECONCILED and not override_reason:
            raise ValidationFailed(
                f"上一期（{prev.month:%Y年%m月}）的发放名册尚未对账（{label('payroll_status', prev.status)}），"
                "不能发放；确需发放请填写理由。",
                code="previous_not_reconciled",
                field="override_reason",
            )
        p.status, p.released_at, p.released_by = S.RELEASED, timezone.now(), user
        if prev is not None and prev.status != S.RECONCILED:
            p.release_override_reason = override_reason
        p.save(update_fields=["status", "released_at", "released_by", "release_override_reason"])
        summary = _summary(p)
        summary["override"] = bool(p.release_override_reason)
        record_audit(
            actor=Actor.of(user, client),
            action="payroll.release",
            object_type="payroll",
            object_id=p.pk,
            changes=summary,
            reason=p.release_override_reason,
        )
    return p


def mark_reconciled_if_complete(p: Payroll, actor: Actor) -> bool:
    """Inside the caller's transaction: a released payroll with no pending line is reconciled."""
    rec = reconciliation(p)
    if p.status != S.RELEASED or not rec.complete:
        return False
    p.status, p.reconciled_at = S.RECONCILED, timezone.now()
    p.save(update_fields=["status", "reconciled_at"])
    record_audit(
        actor=actor,
        action="payroll.reconciled",
        object_type="payroll",
        object_id=p.pk,
        changes={
            "due": str(rec.due),
            "paid": str(rec.paid),
            "failed": str(rec.failed),
            "pending": str(rec.pending),
        },
    )
    return True


def _next_payee_id(row: PayrollLine) -> int | None:
    """Who the next payroll pays for this line's benefit key (as `generation` chooses it)."""
    if row.beneficiary_id is not None:
        return row.beneficiary_id
    designated = DesignatedPayee.objects.filter(household_id=row.household_id).values_list(
        "person_id", flat=True
    )
    return (
        designated.first()
        or Household.objects.filter(pk=row.household_id).values_list("head_id", flat=True).first()
    )


def _require_fixed_account(row: PayrollLine) -> None:
    """失败重发: the worklist's fix comes first. Reissuing into the very account the bank refused
    (or to a payee with no account) would only fail again, so it is refused until the account
    (or the designated payee) is changed."""
    payee = _next_payee_id(row)
    current = (
        PayeeAccount.objects.filter(person_id=payee, active=True)
        .values_list("account_index", flat=True)
        .first()
    )
    if current is None:
        raise ValidationFailed(
            "收款人尚无有效发放账户，请先登记账户再安排重发。", code="account_missing", field="account"
        )
    if current == row.account_index:
        raise ValidationFailed(
            f"收款人账户仍是发放失败的账户（{row.failure_reason}），请先更正账户再安排重发。",
            code="account_not_fixed",
            field="account",
        )


def release_for_reissue(*, user, line, reason: str, client: str = "") -> PayrollLine:
    """Take a failed payment off the worklist: its month counts as unpaid again, so the next
    payroll pays it (as 重发) into the payee's account as it is then."""
    _require(user, Perm.PREPARE_PAYROLL, "安排重发")
    reason = _text(reason, "reason", "重发说明")
    with transaction.atomic():
        try:
            row = PayrollLine.objects.select_for_update().get(pk=int(getattr(line, "pk", line)))
        except (PayrollLine.DoesNotExist, ValueError, TypeError):
            raise NotFound("未找到该发放明细。", code="line_not_found") from None
        get_payroll(user, row.payroll_id)  # scoping: outside the reach is not found
        if row.status != LineStatus.FAILED or row.released_for_reissue_at is not None:
            raise Conflict("只有尚未处理的发放失败明细可以安排重发。", code="line_state", field="line")
        _require_fixed_account(row)
        row.committed, row.released_for_reissue_at, row.released_for_reissue_by = False, timezone.now(), user
        row.save(update_fields=["committed", "released_for_reissue_at", "released_for_reissue_by"])
        record_audit(
            actor=Actor.of(user, client),
            action="payroll.reissue",
            object_type="payroll_line",
            object_id=row.pk,
            changes={
                "household": row.household_id,
                "month": row.benefit_month.strftime("%Y-%m"),
                "amount": str(row.amount),
                "failure_reason": row.failure_reason,
            },
            reason=reason,
        )
    return row


def record_recovery(
    *, user, receivable, amount, received_on: dt.date, note: str, client: str = ""
) -> Recovery:
    _require(user, Perm.APPROVE_PAYROLL, "登记追回款")
    note = _text(note, "note", "追回说明（方式、票据号）")
    value = parse_yuan(amount, "amount", blank_is_zero=False)
    if value <= 0:
        raise ValidationFailed("追回金额应大于零。", field="amount")
    with transaction.atomic():
        try:
            rec = Receivable.objects.select_for_update().get(pk=int(getattr(receivable, "pk", receivable)))
        except (Receivable.DoesNotExist, ValueError, TypeError):
            raise NotFound("未找到该追回款。", code="receivable_not_found") from None
        get_payroll(user, rec.payroll_id)
        if rec.status != Receivable.Status.OPEN:
            raise Conflict("该追回款不在待追回状态。", code="receivable_state", field="receivable")
        if rec.recovered + value > rec.amount:
            raise ValidationFailed(
                f"追回金额超过尚欠的{rec.amount - rec.recovered}元。", code="over_recovery", field="amount"
            )
        entry = Recovery.objects.create(
            receivable=rec, amount=value, received_on=received_on, note=note, recorded_by=user
        )
        rec.recovered += value
        if rec.recovered == rec.amount:
            rec.status = Receivable.Status.RECOVERED
        rec.save(update_fields=["recovered", "status"])
        record_audit(
            actor=Actor.of(user, client),
            action="receivable.recovery",
            object_type="receivable",
            object_id=rec.pk,
            changes={
                "household": rec.household_id,
                "amount": str(value),
                "recovered": str(rec.recovered),
                "outstanding": str(rec.amount - rec.recovered),
            },
            reason=note,
        )
    return entry
