"""From the registry to the policy engine's input contract (docs/policy-engine.md).

The mapping is the only place that knows both shapes. Money goes out as strings of Decimal so
nothing passes through float; `not_coresident` is expressed by `co_resident: false`, the other
not-counted reasons by name.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from safetynet.registry.models import Household, Membership, NotCountedReason


def _money(value) -> str:
    return str(Decimal(value or 0))


def member_input(m: Membership) -> dict:
    p = m.person
    reason = m.not_counted_reason
    return {
        "id": str(p.pk),
        "birth_date": p.birth_date.isoformat(),
        "relation": m.relation,
        "co_resident": m.co_resident,
        "not_counted_reason": None if reason in ("", NotCountedReason.NOT_CORESIDENT) else reason,
        "in_fulltime_education": p.fulltime_education,
        "disability": {"kind": p.disability_kind, "grade": p.disability_grade} if p.disability_kind else None,
        "major_illness": p.major_illness,
        "self_care_failed": len(p.self_care_failed or []),
        "income_12m": {
            "wage": _money(p.income_wage_12m),
            "business": _money(p.income_business_12m),
            "property": _money(p.income_property_12m),
            "transfer": _money(p.income_transfer_12m),
            "excluded": _money(p.income_excluded_12m),
        },
    }


def household_input(household: Household, members: list[Membership] | None = None) -> dict:
    """The policy input of one household, from its current members and declared facts."""
    if members is None:
        members = list(household.memberships.filter(left_on__isnull=True).select_related("person"))
    data = {
        "region": household.village.code,
        "hukou": household.hukou,
        "alleviated": household.alleviated,
        "members": [member_input(m) for m in members],
        "assets": {
            "financial": _money(household.financial_assets),
            "vehicles": [
                {"value": _money(v.get("value")), "exempt": bool(v.get("exempt"))}
                for v in household.vehicles or []
            ],
            "homes": household.homes,
            "home_bought_within_year": household.home_bought_within_year,
            "company_roles": household.company_roles,
        },
        "rigid_expenditure_12m": {
            "medical": _money(household.rigid_medical_12m),
            "education": _money(household.rigid_education_12m),
            "rehabilitation": _money(household.rigid_rehabilitation_12m),
            "living": "0",
        },
        "supporters": [{"able": bool(s.get("able"))} for s in household.supporters or []],
        "risk_events": list(household.risk_events or []),
    }
    if household.risk_judgement is not None:  # a judgement recorded at investigation (POLICY.md §8)
        data["risk_judgement"] = household.risk_judgement
        data["risk_judgement_reason"] = household.risk_judgement_reason
    if household.single_person_applicant_id:  # 单人户 (民发〔2021〕57号 第九条)
        data["single_person_application"] = str(household.single_person_applicant_id)
    return data


def with_current_members(households: QuerySet[Household]) -> QuerySet[Household]:
    """Prefetch what `household_input` reads, in a constant number of queries."""
    current = Membership.objects.filter(left_on__isnull=True).select_related("person").order_by("id")
    return households.select_related("village").prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_memberships")
    )
