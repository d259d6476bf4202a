"""Reads of payrolls, lines, receivables and the worklist of failed payments.

Payrolls are scoped by the township's code under the user's area, like every read (the same
code-prefix rule as `registry.selectors.in_reach`). They are read with `Perm.VIEW_PAYROLL`, not
`VIEW_HOUSEHOLD`, because county finance sees totals and bank files without seeing households.
Amounts are summed in integer fen in the database so a total is exact on SQLite too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, Func, QuerySet, Sum, Value

from safetynet.accounts.roles import Perm
from safetynet.core.errors import NotFound
from safetynet.payments.models import LineStatus, Payroll, PayrollLine, Receivable
from safetynet.registry.selectors import reached_household

CENT = Decimal("0.01")


def yuan(fen) -> Decimal:
    return (Decimal(int(round(fen or 0))) / 100).quantize(CENT)


def fen_sum(field: str = "amount") -> Sum:
    return Sum(Func(F(field) * Value(100), function="ROUND", output_field=BigIntegerField()))


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _payroll_reach(user) -> str | None:
    if not user or not user.is_authenticated or not user.can(Perm.VIEW_PAYROLL) or not user.area_id:
        return None
    return user.area.code


def payrolls_visible_to(user) -> QuerySet[Payroll]:
    prefix = _payroll_reach(user)
    if prefix is None:
        return Payroll.objects.none()
    return Payroll.objects.filter(township__code__startswith=prefix).select_related("township")


def get_payroll(user, pk) -> Payroll:
    try:
        return payrolls_visible_to(user).get(pk=int(pk))
    except (Payroll.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该发放名册。", code="payroll_not_found") from None


def lines_of(user, payroll) -> QuerySet[PayrollLine]:
    p = get_payroll(user, getattr(payroll, "pk", payroll))
    return PayrollLine.objects.filter(payroll=p).select_related("payee", "household").order_by("id")


@dataclass(frozen=True)
class TotalRow:
    township: str
    category: str
    funding: str
    lines: int
    amount: Decimal


def totals(payrolls: QuerySet[Payroll]) -> list[TotalRow]:
    """Lines and amount per township, category and funding source."""
    rows = (
        PayrollLine.objects.filter(payroll__in=payrolls)
        .values("payroll__township__name", "category", "funding")
        .annotate(n=Count("id"), fen=fen_sum())
        .order_by("payroll__township__name", "funding", "category")
    )
    return [
        TotalRow(r["payroll__township__name"], r["category"], r["funding"], r["n"], yuan(r["fen"]))
        for r in rows
    ]


def totals_of(payroll) -> list[TotalRow]:
    return totals(Payroll.objects.filter(pk=getattr(payroll, "pk", payroll)))


@dataclass(frozen=True)
class Reconciliation:
    due: Decimal
    paid: Decimal
    failed: Decimal
    pending: Decimal
    lines: int
    paid_lines: int
    failed_lines: int
    pending_lines: int

    @property
    def balanced(self) -> bool:
        return self.due == self.paid + self.failed + self.pending

    @property
    def complete(self) -> bool:
        return self.balanced and self.pending_lines == 0


def reconciliation(payroll) -> Reconciliation:
    """due = paid + failed + pending, to the fen, from the lines' statuses."""
    pid = getattr(payroll, "pk", payroll)
    by = {
        r["status"]: r
        for r in PayrollLine.objects.filter(payroll_id=pid)
        .values("status")
        .annotate(n=Count("id"), fen=fen_sum())
    }
    due = PayrollLine.objects.filter(payroll_id=pid).aggregate(n=Count("id"), fen=fen_sum())

    def part(status):
        r = by.get(status, {})
        return yuan(r.get("fen")), r.get("n", 0)

    paid, n_paid = part(LineStatus.PAID)
    failed, n_failed = part(LineStatus.FAILED)
    pending, n_pending = part(LineStatus.PENDING)
    return Reconciliation(yuan(due["fen"]), paid, failed, pending, due["n"], n_paid, n_failed, n_pending)


def failed_worklist(user) -> QuerySet[PayrollLine]:
    """Failed payments not yet released for reissue, in the user's reach."""
    prefix = _payroll_reach(user)
    if prefix is None:
        return PayrollLine.objects.none()
    return (
        PayrollLine.objects.filter(
            status=LineStatus.FAILED,
            released_for_reissue_at__isnull=True,
            payroll__township__code__startswith=prefix,
        )
        .select_related("payroll__township", "payee", "household")
        .order_by("payroll__month", "id")
    )


def receivables_visible_to(user) -> QuerySet[Receivable]:
    prefix = _payroll_reach(user)
    if prefix is None:
        return Receivable.objects.none()
    return Receivable.objects.filter(payroll__township__code__startswith=prefix).prefetch_related("months")


def payment_history(user, household) -> list[dict]:
    """A household's payments month by month (lines of approved payrolls), newest first."""
    hh = reached_household(user, household)
    rows = (
        PayrollLine.objects.filter(household=hh)
        .exclude(payroll__status=Payroll.Status.DRAFT)
        .exclude(payroll__status=Payroll.Status.SUBMITTED)
        .select_related("payee", "payroll")
        .order_by("-benefit_month", "-id")
    )
    return [
        {
            "month": r.benefit_month,
            "paid_in": r.payroll.month,
            "kind": r.kind,
            "category": r.category,
            "payee": r.payee.name,
            "amount": r.amount,
            "status": r.status,
            "failure_reason": r.failure_reason,
        }
        for r in rows
    ]
