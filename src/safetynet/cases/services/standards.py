"""提标: a new standard from a date re-computes every recipient's amount in one batch decision.

County civil affairs (`Perm.COUNTY_FILE`) applies it once per region and date (a unique
constraint; a second run is refused). Every household with a cash benefit in force on the date
is re-assessed by the engine on its register facts and the parameters in force on that date; the
amount changes, the category and mark never do (a different category is a matter for review).
Each changed household gets the next row of its timeline from the date (basis 提标), a letter and
an SMS. Set aside, with the reason, and counted: households with an open case (their case
re-assesses them), a later row already decided, or a category the new standard would change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from safetynet import policy
from safetynet.accounts.roles import Perm
from safetynet.assessments.inputs import household_input, with_current_members
from safetynet.assessments.services import parameter_set
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import notifications
from safetynet.cases.models import OPEN_STATES, Case, Letter, StandardChange
from safetynet.cases.services.changes import describe
from safetynet.cases.services.checks import _require, _text
from safetynet.core import clock
from safetynet.core.areas import configured_county
from safetynet.core.errors import Conflict, SafetynetError, ValidationFailed
from safetynet.entitlements import services as entitlements
from safetynet.entitlements.models import Basis, Entitlement
from safetynet.entitlements.selectors import covering
from safetynet.registry.selectors import households_in_region

PAYING = ("dibao", "tekun")


def _new_terms(row: Entitlement, result: dict) -> entitlements.Terms:
    members = tuple(
        entitlements.MemberPart(
            person_id=int(m["id"]),
            category=m["category"],
            care_tier=m.get("care_tier") or "",
            benefit_monthly=Decimal(str(m.get("benefit_monthly") or 0)),
        )
        for m in result.get("members", [])
        if m.get("category")
    )
    return entitlements.Terms(
        category=row.category,
        monitoring_marked=row.monitoring_marked,
        monitoring_type=row.monitoring_type,
        benefit_monthly=Decimal(str(result["benefit_monthly"])),
        members=members,
    )


def apply_standard_change(
    *, user, effective_from: dt.date, document: str, reason: str = "", region: str = "", client: str = ""
) -> StandardChange:
    _require(user, Perm.COUNTY_FILE, "提标")
    region = region or configured_county()
    document = _text(document, "document", "提标文件及文号", max_length=200)
    if effective_from.day != 1:
        raise ValidationFailed("新标准须自某月1日起执行（待遇按月发放）。", field="effective_from")
    if StandardChange.objects.filter(region=region, effective_from=effective_from).exists():
        raise Conflict(f"{effective_from:%Y年%m月}起的提标已执行，不能重复执行。", code="already_applied")
    params = parameter_set(region).on(effective_from)
    actor, today = Actor.of(user, client), clock.today()
    rows = (
        Entitlement.objects.filter(covering(effective_from), household__in=households_in_region(region))
        .filter(category__in=PAYING)
        .select_related("household__village__parent", "household__head")
        .prefetch_related("members")
        .order_by("household_id")
    )
    busy = set(
        Case.objects.filter(state__in=OPEN_STATES, household__in=rows.values("household")).values_list(
            "household_id", flat=True
        )
    )
    later = set(
        Entitlement.objects.filter(
            household__in=rows.values("household"), valid_from__gt=effective_from
        ).values_list("household_id", flat=True)
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                change = StandardChange.objects.create(
                    region=region,
                    effective_from=effective_from,
                    document=document,
                    reason=(reason or "").strip(),
                    parameters_version=params.version,
                    decided_on=today,
                    decided_by=user,
                )
        except IntegrityError:
            raise Conflict(
                f"{effective_from:%Y年%m月}起的提标已执行，不能重复执行。", code="already_applied"
            ) from None
        households = with_current_members(
            households_in_region(region).filter(pk__in=[r.household_id for r in rows])
        )
        facts = {h.pk: h for h in households}
        skipped, count, changed = [], 0, 0
        before_total = after_total = Decimal(0)
        for row in rows:
            hid = row.household_id
            if hid in busy or hid in later:
                why = "有正在办理的案件，由该案件按新标准测算" if hid in busy else "已有更晚的待遇记录"
                skipped.append({"household": hid, "reason": why})
                continue
            try:
                data = household_input(facts[hid], facts[hid].current_memberships)
                result = policy.assess(policy.parse_household(data, on=effective_from), params).to_dict()
            except SafetynetError as err:
                skipped.append({"household": hid, "reason": f"户档案数据不完整：{err.message}"})
                continue
            if result["category"] != row.category:
                skipped.append({"household": hid, "reason": "按新标准测算的类别发生变化，请通过复核办理"})
                continue
            count += 1
            terms = _new_terms(row, result)
            before_total += row.benefit_monthly
            after_total += terms.benefit_monthly
            if terms.same_as(row):
                continue
            changed += 1
            entitlements.open_row(
                household=row.household,
                valid_from=effective_from,
                terms=terms,
                basis=Basis.STANDARD,
                decided_on=today,
                actor=actor,
                user=user,
                reason=f"提标：{document}",
            )
            _tell(user, row, terms, effective_from, document, today)
        StandardChange.objects.filter(pk=change.pk).update(
            households=count,
            changed=changed,
            total_before=before_total,
            total_after=after_total,
            skipped=skipped,
        )
        record_audit(
            actor=actor,
            action="standard_change.apply",
            object_type="standard_change",
            object_id=change.pk,
            changes={
                "effective_from": effective_from.isoformat(),
                "households": count,
                "changed": changed,
                "skipped": len(skipped),
                "total_before": str(before_total),
                "total_after": str(after_total),
            },
            reason=document,
        )
    change.refresh_from_db()
    return change


def _tell(user, row: Entitlement, terms, effective_from: dt.date, document: str, today: dt.date) -> None:
    household = row.household
    name = household.head.name if household.head_id else ""
    new = describe(
        {
            "category": terms.category,
            "benefit_monthly": terms.benefit_monthly,
            "monitoring_marked": terms.monitoring_marked,
            "monitoring_type": terms.monitoring_type,
        }
    )
    Letter.objects.create(
        household=household,
        kind=Letter.Kind.STANDARD,
        recipient_name=name,
        title="提标告知书",
        text=(
            f"{name}：\n根据{document}，自{effective_from:%Y年%m月}起提高救助标准，"
            f"您家享受的待遇由每月 {row.benefit_monthly:,.2f} 元调整为{new}。\n\n"
            f"乡宁县民政局\n{today:%Y年%m月%d日}"
        ),
        issued_on=today,
        issued_by=user,
    )
    notifications.queue_household_message(
        household, "change", f"根据{document}，自{effective_from:%Y年%m月}起您家的救助待遇调整为{new}。"
    )
