"""Reads of temporary relief and the reserve fund, scoped by area through the registry's rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from safetynet.core import clock
from safetynet.core.errors import NotFound
from safetynet.core.masking import mask_name
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.models import Area
from safetynet.relief.models import FundEntry, ReliefApplication, ReliefStatus, ReserveFund


def applications_visible_to(user) -> QuerySet[ReliefApplication]:
    qs = ReliefApplication.objects.select_related("township", "area", "household")
    return registry_selectors.in_reach(qs, user, "area__code")


def get_application(user, pk) -> ReliefApplication:
    try:
        return applications_visible_to(user).get(pk=int(pk))
    except (ReliefApplication.DoesNotExist, TypeError, ValueError):
        raise NotFound("未找到该临时救助申请。", code="relief_not_found") from None


def townships_visible_to(user) -> QuerySet[Area]:
    return registry_selectors.areas_visible_to(user).filter(level=Area.Level.TOWNSHIP).order_by("code")


def get_township(user, code: str) -> Area:
    """A township in reach; a village officer reaches none (the fund is the township's)."""
    try:
        return townships_visible_to(user).get(code=str(code))
    except Area.DoesNotExist:
        raise NotFound(
            f"未找到乡镇{code}，或不在您的管辖范围内。", code="township_not_found", field="township"
        ) from None


def fund_of(township: Area) -> ReserveFund | None:
    return ReserveFund.objects.filter(township=township).first()


def paperwork_overdue(user, on: dt.date | None = None) -> QuerySet[ReliefApplication]:
    """先行救助 whose paperwork is past its working-day deadline."""
    on = on or clock.today()
    return applications_visible_to(user).filter(status=ReliefStatus.PAID_FIRST, paperwork_due__lt=on)


@dataclass(frozen=True)
class Statement:
    township: Area
    month: dt.date
    opening: Decimal
    allocations: Decimal
    payouts: Decimal
    returns: Decimal
    closing: Decimal
    entries: list


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def monthly_statement(user, township_code: str, month: dt.date) -> Statement:
    """备用金月报: opening balance, the month's allocations, payouts and returns, closing balance."""
    township = get_township(user, township_code)
    start, end = month.replace(day=1), _next_month(month)
    entries = FundEntry.objects.filter(fund__township=township)
    before = entries.filter(on__lt=start).order_by("-on", "-id").first()
    opening = before.balance_after if before else Decimal("0.00")
    inside = entries.filter(on__gte=start, on__lt=end).select_related("application").order_by("on", "id")
    sums = {k: Decimal("0.00") for k in FundEntry.Kind.values}
    for row in inside.values("kind").annotate(total=Sum("amount")):
        sums[row["kind"]] = row["total"]
    closing = opening + sums["allocation"] + sums["return"] - sums["payout"]
    return Statement(
        township, start, opening, sums["allocation"], sums["payout"], sums["return"], closing, list(inside)
    )


NOTICE_STATUSES = (ReliefStatus.PAID_FIRST, ReliefStatus.APPROVED, ReliefStatus.PAID)


def public_notice(township_code: str, month: dt.date) -> list[dict]:
    """谁救助谁公示: the township's relief granted or paid first in the month, names masked."""
    start, end = month.replace(day=1), _next_month(month)
    rows = (
        ReliefApplication.objects.filter(township__code=township_code, status__in=NOTICE_STATUSES)
        .filter(decided_on__gte=start, decided_on__lt=end)
        .select_related("area")
        .order_by("decided_on", "id")
    ) | ReliefApplication.objects.filter(
        township__code=township_code,
        status=ReliefStatus.PAID_FIRST,
        paid_first_on__gte=start,
        paid_first_on__lt=end,
    )
    return [
        {
            "reference": a.reference,
            "name": mask_name(a.applicant_name),
            "area": a.area.name,
            "kind": a.get_kind_display(),
            "amount": a.amount_granted if a.amount_granted is not None else a.paid_first_amount,
            "on": a.decided_on or a.paid_first_on,
            "first": a.paid_first_amount is not None,
        }
        for a in rows.distinct().order_by("id")
    ]
