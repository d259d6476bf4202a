"""The only writes of the entitlement timeline: open the next row, close the current one.

Both run in one transaction with the household row locked (`select_for_update`), so two decisions
on one household serialise and the second sees the first's row; the unique "one open row"
constraint (and on PostgreSQL the exclusion constraint) stop any write that slipped past. A row is
never edited after it is written except to close it (`valid_until`, `end_basis`); a change dated
on or before the start of the latest row is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from safetynet.assessments.services import parameter_set
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import ValidationFailed
from safetynet.entitlements.models import Basis, Entitlement, EntitlementMember
from safetynet.entitlements.schedule import MemberFacts, schedule_for
from safetynet.registry.models import Household, Membership

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MemberPart:
    person_id: int
    category: str = ""
    care_tier: str = ""
    benefit_monthly: Decimal = ZERO


@dataclass(frozen=True)
class Terms:
    """What a row grants."""

    category: str
    monitoring_marked: bool = False
    monitoring_type: str = ""
    benefit_monthly: Decimal = ZERO
    members: tuple[MemberPart, ...] = field(default=())

    def same_as(self, row: Entitlement) -> bool:
        return (
            self.category == row.category
            and self.monitoring_marked == row.monitoring_marked
            and (self.monitoring_type or "") == (row.monitoring_type or "")
            and Decimal(self.benefit_monthly) == row.benefit_monthly
        )


def _locked_household(household) -> Household:
    pk = getattr(household, "pk", household)
    return Household.objects.select_for_update().select_related("village").get(pk=pk)


def _latest(household_id: int) -> Entitlement | None:
    return Entitlement.objects.filter(household_id=household_id).order_by("-valid_from").first()


def _counted_facts(household: Household, on: dt.date) -> list[MemberFacts]:
    rows = Membership.objects.filter(household=household, left_on__isnull=True, counted=True).select_related(
        "person"
    )
    facts = []
    for m in rows:
        p = m.person
        age = on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))
        facts.append(MemberFacts(age, p.labour_capacity, p.income_wage_12m + p.income_business_12m))
    return facts


def _member_parts(household: Household, terms: Terms) -> list[MemberPart]:
    """Every counted member, with the household's category unless individually recognised."""
    own = {m.person_id: m for m in terms.members}
    counted = Membership.objects.filter(household=household, left_on__isnull=True, counted=True).values_list(
        "person_id", flat=True
    )
    parts = [own.pop(pid, None) or MemberPart(pid, terms.category) for pid in counted]
    return parts + list(own.values())  # individually recognised members no longer counted stay listed


def _check_start(latest: Entitlement | None, valid_from: dt.date) -> None:
    if latest is not None and valid_from <= latest.valid_from:
        raise ValidationFailed(
            f"变更日期不得早于或等于当前待遇的起始日期（{latest.valid_from:%Y年%m月%d日}）。",
            code="before_current_row",
            field="valid_from",
        )


def _close(row: Entitlement, on: dt.date, basis: str, actor: Actor, reason: str) -> None:
    if row.valid_until is not None and row.valid_until <= on:
        return  # already ended by then (a time-limited row, or an earlier stop)
    row.valid_until, row.end_basis = on, basis
    row.save(update_fields=["valid_until", "end_basis"])
    record_audit(
        actor=actor,
        action="entitlement.close",
        object_type="entitlement",
        object_id=row.pk,
        changes={"household": row.household_id, "valid_until": on.isoformat(), "end_basis": basis},
        reason=reason,
    )


def open_row(
    *,
    household,
    valid_from: dt.date,
    terms: Terms,
    basis: str,
    decided_on: dt.date,
    actor: Actor,
    user=None,
    case=None,
    decision=None,
    reason: str = "",
    valid_until: dt.date | None = None,
) -> Entitlement:
    """Close the household's current row at `valid_from` and open the next with `terms`.

    The review due date (or, for 刚性, the end) follows from the parameters in force on
    `valid_from` (`schedule.schedule_for`); an explicit `valid_until` (渐退) overrides the end."""
    if basis not in Basis.values:
        raise ValidationFailed("待遇变动依据无效。", field="basis")
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationFailed("终止日期应晚于起始日期。", field="valid_until")
    with transaction.atomic():
        hh = _locked_household(household)
        latest = _latest(hh.pk)
        _check_start(latest, valid_from)
        params = parameter_set(hh.village.code).on(valid_from)
        plan = schedule_for(terms.category, valid_from, _counted_facts(hh, valid_from), params)
        if latest is not None:
            _close(latest, valid_from, basis, actor, reason)
        row = Entitlement.objects.create(
            household=hh,
            valid_from=valid_from,
            valid_until=valid_until or plan.valid_until,
            category=terms.category,
            monitoring_marked=terms.monitoring_marked,
            monitoring_type=terms.monitoring_type or "",
            benefit_monthly=Decimal(terms.benefit_monthly).quantize(Decimal("0.01")),
            basis=basis,
            case=case,
            decision=decision,
            decided_on=decided_on,
            parameters_version=params.version,
            review_due=None if valid_until else plan.review_due,
            reason=(reason or "").strip(),
            previous=latest if latest is not None and latest.valid_until == valid_from else None,
            created_by=user,
        )
        EntitlementMember.objects.bulk_create(
            EntitlementMember(
                entitlement=row,
                person_id=m.person_id,
                category=m.category,
                care_tier=m.care_tier,
                benefit_monthly=Decimal(m.benefit_monthly).quantize(Decimal("0.01")),
            )
            for m in _member_parts(hh, terms)
        )
        record_audit(
            actor=actor,
            action="entitlement.open",
            object_type="entitlement",
            object_id=row.pk,
            changes={
                "household": hh.pk,
                "valid_from": valid_from.isoformat(),
                "valid_until": row.valid_until.isoformat() if row.valid_until else None,
                "category": row.category,
                "monitoring_marked": row.monitoring_marked,
                "monitoring_type": row.monitoring_type,
                "benefit_monthly": str(row.benefit_monthly),
                "basis": basis,
                "case": getattr(case, "pk", None),
                "parameters_version": row.parameters_version,
            },
            reason=reason,
        )
    return row


def close_current(*, household, on: dt.date, basis: str, actor: Actor, reason: str) -> Entitlement:
    """End the household's current row on `on` (exclusive) with nothing after it: a stop."""
    if not (reason or "").strip():
        raise ValidationFailed("请填写停发（退出）的书面理由。", code="reason_required", field="reason")
    with transaction.atomic():
        hh = _locked_household(household)
        latest = _latest(hh.pk)
        if latest is None or (latest.valid_until is not None and latest.valid_until <= on):
            raise ValidationFailed("该户在该日期没有享受中的待遇。", code="no_current_row", field="on")
        _check_start(latest, on)
        _close(latest, on, basis, actor, reason.strip())
    return latest
