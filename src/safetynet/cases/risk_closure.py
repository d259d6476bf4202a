"""风险消除 (POLICY.md §8): whether a monitored household may leave monitoring now. Read by the
case services (a risk-closure case is accepted only when it may) and by the rosters (agriculture's
list says which households could be closed and, if not, why).

Risk closure only after the transition period, for a household monitored long enough that its
income can be stably above the line (`monitoring.risk_closure_months`), and with a member able to
work (households without work capacity stay monitored). The engine's re-assessment at the
decision then shows whether the income is above the line."""

from __future__ import annotations

import datetime as dt

from safetynet.assessments import services as assessments
from safetynet.core.errors import ValidationFailed
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.entitlements.schedule import add_months
from safetynet.registry import selectors as registry_selectors


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def refusal(household, in_force, on: dt.date) -> ValidationFailed | None:
    """Why `household` (its row in force `in_force`) may not be closed on `on`; None if it may."""
    params = assessments.parameter_set(household.village.code).on(on)
    if not in_force.monitoring_marked:
        return ValidationFailed("该户不是防返贫监测对象，无需风险消除。", field="kind")
    end = params["monitoring.transition_end"]
    if on <= end:
        return ValidationFailed(
            f"过渡期内（{end:%Y年%m月%d日}前）防返贫监测对象不得退出监测。",
            code="monitoring_exit_in_transition",
            field="kind",
        )
    since = entitlement_selectors.marked_since(household, in_force)
    months = int(params["monitoring.risk_closure_months"])
    if add_months(since, months) > on:
        return ValidationFailed(
            f"该户自{since:%Y年%m月%d日}起被标注为防返贫监测对象，不足{months}个月，收入尚不能认定为持续稳定。",
            code="risk_not_stable",
            field="kind",
        )
    adult, old = int(params["person.adult_age_from"]), int(params["person.old_age_from"])
    able = [
        m
        for m in registry_selectors.current_members(household).filter(counted=True).select_related("person")
        if m.person.labour_capacity in ("full", "partial") and adult <= _age(m.person.birth_date, on) < old
    ]
    if not able:
        return ValidationFailed(
            "无劳动能力的家庭继续纳入监测，不作风险消除。", code="no_work_capacity", field="kind"
        )
    return None


def check(household, in_force, on: dt.date) -> None:
    error = refusal(household, in_force, on)
    if error is not None:
        raise error
