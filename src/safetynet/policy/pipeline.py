"""The single pipeline: `evaluate(table, params)` runs every rule over a `HouseholdTable`.

It feeds the columns of the table and the parameters in force through the rules of `rules.py`,
in the order of the whole-household-first principle (特困 → 低保 → 边缘 → 刚性 → none; members
inside 边缘/刚性 households one by one; the monitoring mark alongside). Parameters are read only
where some household needs them, so a decision's `unverified_parameters` names what it actually
relied on. `single.py` runs it on a table of one household with a `Tracer`; `batch.py` on a whole
register, optionally with a `CompactTrace`.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from safetynet.policy import rules as R
from safetynet.policy.params import ParametersOnDate
from safetynet.policy.table import CAT, HouseholdTable
from safetynet.policy.trace import CompactTrace, Tracer, plain

RULE_SET_VERSION = "2025.2"  # bump whenever a rule changes; 2025.2: the monitoring mark needs risk


class _Run:
    """Calls rules; traces the ones a table of one household needed, or keeps compact reasons.

    `needed` is the household mask of the rows that need the rule (None: every row).
    """

    def __init__(self, tracer: Tracer | None, compact: CompactTrace | None, member_household: np.ndarray):
        self.tracer = tracer
        self.compact = compact
        self.member_household = member_household

    def __call__(self, fn, needed=None, *, compact_key: str | None = None, **inputs) -> R.Outcome:
        outcome = fn(**inputs)
        if self.tracer is not None and (needed is None or bool(needed[0])):
            self.tracer.record(fn, inputs, outcome)
        if self.compact is not None:
            code = outcome.reason.code
            if needed is not None:
                applied = needed[self.member_household] if fn.level == "member" else needed
                code = np.where(applied, code, np.int8(-1))
            key = compact_key or fn.__name__
            self.compact.codes[key] = np.ascontiguousarray(code, dtype=np.int8)
            self.compact.names[key] = outcome.reason.names
            self.compact.levels[key] = fn.level
        return outcome


def _by_hukou(p: ParametersOnDate, urban: np.ndarray, base: str, needed=None) -> np.ndarray:
    """A per-household money parameter chosen by hukou, reading only the variants needed.

    With `needed`, only the rows that need it get the value (others 0), so a register lists a
    variant as used only if some household relied on it — as each household alone would.
    """
    out = np.zeros(len(urban), dtype=np.int64)
    for variant, mask in (("urban", urban), ("rural", ~urban)):
        if needed is not None:
            mask = mask & needed
        if mask.any():
            out[mask] = _fen(p[f"{base}.{variant}"])
    return out


def _fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


def evaluate(
    table: HouseholdTable,
    p: ParametersOnDate,
    tracer: Tracer | None = None,
    compact: CompactTrace | None = None,
) -> dict[str, np.ndarray]:
    """Run every rule over the table; returns household and member result columns.

    `tracer` records a full trace (a table of one household); `compact` collects the reason
    codes of every rule for every row (a register).
    """
    hh, mm = table.households, table.members
    n_h = table.n_households
    idx = mm["household"]
    run = _Run(tracer, compact, idx)
    counts = np.bincount(idx, minlength=n_h)
    starts = np.cumsum(counts) - counts  # first member row of each household (idx is sorted)
    false_h = np.zeros(n_h, dtype=bool)
    zero_h = np.zeros(n_h, dtype=np.int64)

    def hh_sum(x):
        if not n_h:
            return zero_h
        if x.dtype == np.bool_:
            return np.add.reduceat(x.view(np.int8), starts, dtype=np.int64)
        return np.add.reduceat(x.astype(np.int64, copy=False), starts)

    def hh_all(x):
        return hh_sum(~x) == 0 if n_h else false_h

    on = p.day
    age = (on.year * 10000 + on.month * 100 + on.day - mm["birth"]) // 10000
    urban, rural = hh["urban"], ~hh["urban"]
    window = p["income.window_months"]
    adult_age, old_age = p["person.adult_age_from"], p["person.old_age_from"]
    standard = _by_hukou(p, urban, "dibao.standard_monthly")
    standard_m = standard[idx]

    # §1 family unit
    counted = run(
        R.counted_member,
        relation=mm["relation"],
        co_resident=mm["co_resident"],
        not_counted=mm["not_counted"],
        in_fulltime_education=mm["in_fulltime_education"],
        age=age,
        adult_age=adult_age,
    ).value
    size = hh_sum(counted)
    valid = size > 0
    n = np.maximum(size, 1)  # rows without a counted member are invalid; keep arithmetic defined
    if tracer is not None:
        tracer.note(
            "family_size",
            "家庭人口",
            R.counted_member.clause,
            {"counted": plain(counted)},
            {"value": int(size[0]), "reason": "counted_members" if valid[0] else "no_counted_member"},
        )

    # §2 income
    own_income = mm["wage_fen"] + mm["business_fen"] + mm["property_fen"] + mm["transfer_fen"]
    income = run(
        R.family_income,
        counted_income_fen=hh_sum(np.where(counted, own_income, 0)),
        excluded_income_fen=hh_sum(np.where(counted, mm["excluded_fen"], 0)),
        has_override=hh["has_override"],
        override_monthly_fen=hh["override_monthly_fen"],
        window_months=window,
    ).value

    # §3 assets, 低保 limits
    asset_inputs = {
        "financial_fen": hh["financial_fen"],
        "nonexempt_vehicles": hh["nonexempt_vehicles"],
        "homes": hh["homes"],
        "home_bought_within_year": hh["home_bought_within_year"],
        "company_roles": hh["company_roles"],
        "standard_fen": standard,
        "family_size": n,
    }
    homes_max = p["assets.homes_max"]
    assets_ok = run(
        R.assets_within_limits,
        **asset_inputs,
        financial_months=p["assets.financial_months"],
        homes_max=homes_max,
    ).value
    below_standard = run(
        R.income_below_dibao_standard,
        family_income_fen=income,
        family_size=n,
        standard_fen=standard,
        window_months=window,
    ).value

    # §5 特困, whole household
    continuing_tekun = (hh["current_category"] == CAT["tekun"])[idx]
    no_capacity = run(
        R.no_work_capacity,
        age=age,
        disability_kind=mm["disability_kind"],
        disability_grade=mm["disability_grade"],
        continuing_tekun=continuing_tekun,
        in_fulltime_education=mm["in_fulltime_education"],
        ages=(old_age, p["tekun.work_capacity.child_age_below"], adult_age),
    ).value
    no_supporter = run(R.no_able_supporter, able_supporters=hh["able_supporters"]).value
    is_tekun = run(
        R.tekun_household,
        all_counted_no_work_capacity=hh_all(no_capacity | ~counted),
        income_below_standard=below_standard,
        assets_ok=assets_ok,
        no_able_supporter=no_supporter,
    ).value

    # §4 低保
    is_dibao = run(
        R.dibao_household, is_tekun=is_tekun, income_below_standard=below_standard, assets_ok=assets_ok
    ).value

    # §6 边缘
    need_edge = ~is_tekun & ~is_dibao
    below_edge, assets_ok_edge, is_edge = false_h, false_h, false_h
    if need_edge.any():
        below_edge = run(
            R.income_below_edge_line,
            need_edge,
            family_income_fen=income,
            family_size=n,
            standard_fen=standard,
            window_months=window,
            multiplier=p["edge.income_multiplier"],
        ).value
        assets_ok_edge = run(
            R.assets_within_limits,
            need_edge,
            compact_key="assets_within_edge_limits",
            **asset_inputs,
            financial_months=p["assets.financial_months_edge"],
            homes_max=homes_max,
        ).value
        is_edge = run(
            R.dibao_edge_household,
            need_edge,
            is_tekun=is_tekun,
            is_dibao=is_dibao,
            income_below_edge=below_edge,
            assets_ok_edge=assets_ok_edge,
        ).value

    # §7 刚性 (and the rigid figures the monitoring mark needs)
    has_risk = hh["risk_events"] != 0
    need_rigid = need_edge & ~is_edge
    need_heavy = need_rigid | (rural & has_risk)
    below_disposable, heavy, is_rigid = false_h, false_h, false_h
    if need_heavy.any():
        rigid_total = run(
            R.rigid_expenditure,
            need_heavy,
            medical_fen=hh["rigid_medical_fen"],
            education_fen=hh["rigid_education_fen"],
            rehabilitation_fen=hh["rigid_rehabilitation_fen"],
            living_fen=hh["rigid_living_fen"],
            relief_fen=hh["relief_received_fen"],
            standard_fen=standard,
            family_size=n,
        ).value
        heavy = run(
            R.rigid_expenditure_heavy,
            need_heavy,
            rigid_fen=rigid_total,
            family_income_fen=income,
            window_months=window,
            expenditure_ratio=p["rigid.expenditure_ratio"],
        ).value
    if need_rigid.any():
        below_disposable = run(
            R.income_below_disposable_line,
            need_rigid,
            family_income_fen=income,
            family_size=n,
            window_months=window,
            disposable_annual_fen=_by_hukou(p, urban, "rigid.disposable_income_prev_year", need_rigid),
        ).value
        is_rigid = run(
            R.rigid_hardship_household,
            need_rigid,
            is_tekun=is_tekun,
            is_dibao=is_dibao,
            is_edge=is_edge,
            income_below_disposable=below_disposable,
            assets_ok_edge=assets_ok_edge,
            rigid_heavy=heavy,
        ).value

    category = R.first_match(
        [~valid, is_tekun, is_dibao, is_edge, is_rigid],
        [CAT["none"], CAT["tekun"], CAT["dibao"], CAT["dibao_edge"], CAT["rigid_hardship"]],
        default=CAT["none"],
    )

    # Members one by one inside 边缘 and 刚性 households
    in_edge_or_rigid_h = (is_edge | is_rigid) & valid
    in_edge_or_rigid = in_edge_or_rigid_h[idx]
    tekun_individual = np.zeros(len(idx), dtype=bool)
    individual = np.zeros(len(idx), dtype=bool)
    if in_edge_or_rigid_h.any():
        tekun_individual = run(
            R.tekun_member,
            in_edge_or_rigid_h,
            in_edge_or_rigid=in_edge_or_rigid,
            counted=counted,
            no_work_capacity=no_capacity,
            own_income_fen=own_income,
            standard_fen=standard_m,
            window_months=window,
            assets_ok=assets_ok[idx],
            no_able_supporter=no_supporter[idx],
        ).value
        individual = run(
            R.individual_dibao_member,
            in_edge_or_rigid_h,
            in_edge_or_rigid=in_edge_or_rigid,
            counted=counted,
            is_tekun_member=tekun_individual,
            disability_kind=mm["disability_kind"],
            disability_grade=mm["disability_grade"],
            major_illness=mm["major_illness"],
        ).value

    # Amounts, whole yuan
    member_benefit = np.zeros(len(idx), dtype=np.int64)
    tekun_paid = ((is_tekun & valid)[idx] & counted) | tekun_individual
    need_tekun_amount = hh_sum(tekun_paid) > 0
    if tekun_paid.any():
        member_benefit += run(
            R.tekun_amount,
            need_tekun_amount,
            is_tekun=tekun_paid,
            standard_fen=standard_m,
            basic_ratio=p["tekun.basic_ratio"],
            self_care_failed=mm["self_care_failed"],
            care_fen={k: _fen(p[f"tekun.care_monthly.{k}"]) for k in ("self_care", "partial", "total")},
        ).value
    if individual.any():
        member_benefit += run(
            R.individual_dibao_amount,
            hh_sum(individual) > 0,
            is_individual_dibao=individual,
            standard_fen=standard_m,
            benefit_ratio=p["dibao.individual_benefit_ratio"],
        ).value
    is_dibao_v = is_dibao & valid
    dibao_gap = zero_h
    if is_dibao_v.any():
        dibao_gap = run(
            R.dibao_amount,
            is_dibao_v,
            is_dibao=is_dibao_v,
            family_income_fen=income,
            family_size=n,
            standard_fen=standard,
            window_months=window,
        ).value
        member_benefit += run(
            R.classified_increment,
            is_dibao_v,
            in_dibao_household=is_dibao_v[idx],
            counted=counted,
            age=age,
            disability_grade=mm["disability_grade"],
            major_illness=mm["major_illness"],
            increments={
                k: _fen(p[f"dibao.classified_increment.{k}"])
                for k in ("old", "minor", "severe_disability", "serious_illness")
            },
            ages=(old_age, adult_age),
        ).value
    benefit = dibao_gap + hh_sum(member_benefit)

    # 渐退
    was_dibao = (hh["current_category"] == CAT["dibao"]) & valid
    exit_months = zero_h
    if was_dibao.any():
        exit_months = run(
            R.gradual_exit,
            was_dibao,
            was_dibao=was_dibao,
            category_now_dibao_or_tekun=is_dibao | is_tekun,
            income_below_standard=below_standard,
            assets_ok=assets_ok,
            exit_months=p["dibao.gradual_exit_months"],
        ).value

    # 防返贫监测, rural only
    monitoring = zero_h
    rural_v = rural & valid
    if rural_v.any():
        monitoring = run(
            R.monitoring_mark,
            rural_v,
            rural=rural_v,
            alleviated=hh["alleviated"],
            family_income_fen=income,
            family_size=n,
            window_months=window,
            line_annual_fen=_fen(p["monitoring.line_annual"]),
            has_risk_event=has_risk,
            risk_judgement=hh["risk_judgement"],
            rigid_heavy=heavy,
        ).value

    # 其他低收入人口 referral
    category_none = (category == CAT["none"]) & valid
    refer = false_h
    if category_none.any():
        refer = run(
            R.refer_other_low_income,
            category_none,
            category_none=category_none,
            income_below_edge=below_edge,
            assets_ok_edge=assets_ok_edge,
            has_risk_event=has_risk,
            income_below_disposable=below_disposable,
        ).value

    divisor = window * n
    per_capita = (2 * income + divisor) // (2 * divisor)  # fen, half up
    member_category = np.where(tekun_individual, 1, np.where(individual, 2, 0)).astype(np.int8)
    valid_m = valid[idx]
    return {
        "valid": valid,
        "category": category,
        "monitoring": np.where(valid, monitoring, 0).astype(np.int8),
        "family_size": size,
        "family_income_fen": income,
        "per_capita_monthly_income_fen": np.where(valid, per_capita, 0),
        "benefit_monthly": np.where(valid, benefit, 0),
        "refer_other_low_income": refer & valid,
        "gradual_exit_months": np.where(valid, exit_months, 0),
        "member_counted": counted,
        "member_category": np.where(valid_m, member_category, 0).astype(np.int8),
        "member_benefit_monthly": np.where(valid_m, member_benefit, 0),
    }
