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

from safetynet.accounts.roles import Perm
from safetynet.assessments.services import parameter_set
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import PermissionDenied, ValidationFailed
from safetynet.entitlements.models import Basis, Entitlement, EntitlementMember, SupportMode
from safetynet.entitlements.schedule import MemberFacts, schedule_for
from safetynet.registry.models import Household, Membership
from safetynet.registry.selectors import get_household

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MemberPart:
    person_id: int
    category: str = ""
    care_tier: str = ""
    benefit_monthly: Decimal = ZERO
    support_mode: str = ""  # 特困 only: SupportMode; empty carries the person's mode from the row before


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


def _support_modes(row: Entitlement | None) -> dict[int, str]:
    if row is None:
        return {}
    return dict(row.members.exclude(support_mode="").values_list("person_id", "support_mode"))


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
    keep_schedule: bool = False,
) -> Entitlement:
    """Close the household's current row at `valid_from` and open the next with `terms`.

    The review due date (or, for 刚性, the end) follows from the parameters in force on
    `valid_from` (`schedule.schedule_for`); an explicit `valid_until` (渐退) overrides the end, and
    `keep_schedule` keeps the current row's review date and end (a change that is no review).
    A 特困 member's support mode is the part's, else the one the person had in the row before."""
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
        modes = _support_modes(latest)
        if keep_schedule and latest is not None:
            until, review_due = latest.valid_until, latest.review_due
        else:
            until = valid_until or plan.valid_until
            review_due = None if valid_until else plan.review_due
        if latest is not None:
            _close(latest, valid_from, basis, actor, reason)
        parts = _member_parts(hh, terms)
        row = Entitlement.objects.create(
            household=hh,
            village_id=hh.village_id,
            valid_from=valid_from,
            valid_until=until,
            category=terms.category,
            monitoring_marked=terms.monitoring_marked,
            monitoring_type=terms.monitoring_type or "",
            benefit_monthly=Decimal(terms.benefit_monthly).quantize(Decimal("0.01")),
            people=len(parts),
            basis=basis,
            case=case,
            decision=decision,
            decided_on=decided_on,
            parameters_version=params.version,
            review_due=review_due,
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
                support_mode=(m.support_mode or modes.get(m.person_id, "")) if m.category == "tekun" else "",
                benefit_monthly=Decimal(m.benefit_monthly).quantize(Decimal("0.01")),
            )
            for m in parts
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


def set_support_mode(
    *, household, person_id: int, mode: str, on: dt.date, actor: Actor, user=None, reason: str
) -> Entitlement:
    """Record a 特困 member's support mode (集中供养 / 分散供养) from `on`: the next row, same terms,
    same review date. Recording the mode the member already has changes nothing."""
    if mode not in SupportMode.values:
        raise ValidationFailed(
            "供养方式应为集中供养或分散供养。", code="bad_support_mode", field="support_mode"
        )
    if not (reason or "").strip():
        raise ValidationFailed(
            "请填写变更供养方式的理由（如入住供养服务机构）。", code="reason_required", field="reason"
        )
    with transaction.atomic():
        hh = _locked_household(household)
        latest = _latest(hh.pk)
        if latest is None or not latest.covers(on):
            raise ValidationFailed("该户在该日期没有享受中的待遇。", code="no_current_row", field="on")
        member = latest.members.filter(person_id=person_id, category="tekun").first()
        if member is None:
            raise ValidationFailed("该成员不是特困人员，无供养方式。", code="not_tekun", field="person_id")
        if member.support_mode == mode:
            return latest
        counted = set(
            Membership.objects.filter(household=hh, left_on__isnull=True, counted=True).values_list(
                "person_id", flat=True
            )
        )
        parts = tuple(
            MemberPart(
                m.person_id,
                m.category,
                m.care_tier,
                m.benefit_monthly,
                mode if m.person_id == person_id else m.support_mode,
            )
            for m in latest.members.all()
            if m.person_id in counted or m.category != latest.category
        )
        terms = Terms(
            latest.category, latest.monitoring_marked, latest.monitoring_type, latest.benefit_monthly, parts
        )
        return open_row(
            household=hh,
            valid_from=on,
            terms=terms,
            basis=Basis.CHANGE,
            decided_on=on,
            actor=actor,
            user=user,
            reason=f"特困人员供养方式变更为{SupportMode(mode).label}：{reason.strip()}",
            keep_schedule=True,
        )


def record_support_mode(
    *, user, household, person_id: int, mode: str, on: dt.date, reason: str, client: str = ""
):
    """`set_support_mode` for a user: the township window or county civil affairs, in their reach."""
    if not user.can(Perm.RECORD_SUPPORT_MODE):
        raise PermissionDenied("您的角色无权登记特困人员供养方式。")
    hh = get_household(user, getattr(household, "pk", household))
    return set_support_mode(
        household=hh,
        person_id=person_id,
        mode=mode,
        on=on,
        actor=Actor.of(user, client),
        user=user,
        reason=reason,
    )


def follow_village(household_id: int, village_id: int) -> None:
    """A household moved to another village: its rows go with it (registered in
    `registry.services.hooks.village_followers`, run inside the move's transaction)."""
    Entitlement.objects.filter(household_id=household_id).exclude(village_id=village_id).update(
        village_id=village_id
    )
