"""The decision: which category, which monitoring mark, how much — for one household or a register.

`evaluate(table, params)` is the single pipeline: it feeds the columns of a `HouseholdTable` and
the parameters in force through the rules of `rules.py`, in the order of the whole-household-first
principle (特困 → 低保 → 边缘 → 刚性 → none; members inside 边缘/刚性 households one by one;
the monitoring mark alongside). `assess` runs it on one household with a trace; `assess_batch`
runs it on a whole register. Parameters are read only where some household needs them, so a
decision's `unverified_parameters` names what it actually relied on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np

from safetynet.core.errors import ValidationFailed
from safetynet.policy import rules as R
from safetynet.policy.household import CATEGORIES, DISABILITY_KINDS, RELATIONS, Household, parse_household
from safetynet.policy.params import ParameterSet, ParametersOnDate, county_code
from safetynet.policy.table import CAT, HouseholdTable

RULE_SET_VERSION = "2025.2"  # 2025.2: the monitoring mark needs the household at risk
BATCH_CHUNK = 1 << 16  # households per chunk of a batch run (see `assess_batch`)
MONITORING_TYPES = (None, "unstable_alleviated", "edge_prone", "sudden_hardship")
MEMBER_CATEGORIES = (None, "tekun", "individual_dibao")
_FEN_VALUED = {"family_income", "rigid_expenditure"}  # rules whose value is an amount in fen


def yuan(fen_amount) -> Decimal:
    return Decimal(int(fen_amount)) / 100


def _plain(value, *, money: bool = False):
    """A trace value as JSON-ready Python (Decimal kept; the JSON writer turns it into a number)."""
    if isinstance(value, np.ndarray):
        return [_plain(v, money=money) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {k: _plain(v, money=money) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, money=money) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if money and isinstance(value, int) and not isinstance(value, bool):
        return yuan(value)
    return value


_DECODE = {
    "relation": RELATIONS,
    "disability_kind": (None, *DISABILITY_KINDS),
    "risk_judgement": (False, True, None),  # column codes 0, 1 and -1 (the last entry)
}


class Tracer:
    """Collects `{"rule", "term", "clause", "inputs", "result"}` for a table of one household."""

    def __init__(self):
        self.entries: list[dict] = []

    def record(self, fn, inputs: Mapping, outcome: R.Outcome) -> None:
        member = fn.level == "member"

        def one(name, value):
            money = name.endswith("_fen")
            key = name[:-4] if money else name
            if isinstance(value, np.ndarray) and not member:
                value = value[0]
            value = _plain(value, money=money)
            if name in _DECODE:
                names = _DECODE[name]
                value = [names[v] for v in value] if isinstance(value, list) else names[value]
            return key, value

        value = outcome.value if member else outcome.value[0]
        result = {"value": _plain(value, money=fn.__name__ in _FEN_VALUED)}
        if fn is R.monitoring_mark:
            result["value"] = MONITORING_TYPES[result["value"]]
        reason = outcome.reason
        result["reason"] = reason.decode() if member else reason.names[int(reason.code[0])]
        result.update(one(k, v) for k, v in outcome.details.items())
        self.entries.append(
            {
                "rule": fn.__name__,
                "term": fn.term,
                "clause": fn.clause,
                "inputs": dict(one(k, v) for k, v in inputs.items()),
                "result": result,
            }
        )

    def note(self, rule: str, term: str, clause: str, inputs: dict, result: dict) -> None:
        self.entries.append(
            {"rule": rule, "term": term, "clause": clause, "inputs": inputs, "result": result}
        )


@dataclass
class CompactTrace:
    """The trace of a register, compactly: per rule, one reason code per household or member.

    `codes[rule]` is an int8 array (length H for a household rule, M for a member rule) indexing
    `names[rule]`, with -1 where the household did not need the rule — the rows a full trace
    would not show. A rule that no household needed is absent. The asset test against the 边缘
    limits is kept as `assets_within_edge_limits`.
    """

    codes: dict[str, np.ndarray] = field(default_factory=dict)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)

    def decode(self, rule: str) -> np.ndarray:
        """The reason names of `rule` row by row (object array, None where not applied)."""
        names = np.array([*self.names[rule], None], dtype=object)
        return names[self.codes[rule]]  # -1 picks the trailing None


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
            {"counted": _plain(counted)},
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


# ---------------------------------------------------------------- one household


@dataclass
class MemberResult:
    id: str
    counted: bool
    category: str | None
    benefit_monthly: Decimal


@dataclass
class Assessment:
    """One decision, with what is needed to reproduce it (inputs, parameter digest, rule-set version)."""

    region: str
    on: date
    category: str
    monitoring_type: str | None
    family_size: int
    per_capita_monthly_income: Decimal
    benefit_monthly: Decimal
    members: list[MemberResult]
    refer_other_low_income: bool
    gradual_exit_months: int | None
    unverified_parameters: list[str]
    parameters_digest: str
    parameters_version: str
    rule_set_version: str
    trace: list[dict]
    inputs: Mapping = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        """The output contract with `Decimal` amounts (for storage as DECIMAL / exact JSON)."""
        return {
            "region": self.region,
            "on": self.on.isoformat(),
            "category": self.category,
            "monitoring": {"marked": self.monitoring_type is not None, "type": self.monitoring_type},
            "family_size": self.family_size,
            "per_capita_monthly_income": self.per_capita_monthly_income,
            "benefit_monthly": self.benefit_monthly,
            "members": [
                {
                    "id": m.id,
                    "counted": m.counted,
                    "category": m.category,
                    "benefit_monthly": m.benefit_monthly,
                }
                for m in self.members
            ],
            "refer_other_low_income": self.refer_other_low_income,
            "gradual_exit_months": self.gradual_exit_months,
            "unverified_parameters": list(self.unverified_parameters),
            "parameters_digest": self.parameters_digest,
            "parameters_version": self.parameters_version,
            "rule_set_version": self.rule_set_version,
            "trace": self.trace,
        }

    def to_json(self) -> dict:
        """The output contract as JSON-native values (Decimals become JSON numbers)."""
        return jsonable(self.to_dict())


def jsonable(value):
    """Decimals to int (whole) or float (fractional, at most 2 places so the float prints exactly)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def dumps(value, **kwargs) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, **kwargs)


def assess(household: Household, params: ParametersOnDate, *, trace: bool = True) -> Assessment:
    """Decide one household with the parameters in force on `params.day`."""
    p = params.fresh()
    if county_code(household.region) != p.parameter_set.region:
        raise ValidationFailed("参数集与家庭所在地区不一致", code="region_mismatch", field="region")
    for i, m in enumerate(household.members):
        if m.birth_date > p.day:
            raise ValidationFailed(
                "出生日期不能晚于认定日期", code="future_date", field=f"members[{i}].birth_date"
            )
    tracer = Tracer() if trace else None
    table = HouseholdTable.from_households([household])
    r = evaluate(table, p, tracer)
    if not r["valid"][0]:
        raise ValidationFailed(
            "家庭中没有计入的共同生活成员，无法认定", code="no_counted_member", field="members"
        )
    category = CATEGORIES[int(r["category"][0])]
    if tracer is not None:
        tracer.note(
            "category",
            "整户认定结果",
            "乡宁县衔接并轨工作方案 二(四)（整户优先：特困→低保→边缘→刚性）",
            {},
            {"value": category},
        )
    members = [
        MemberResult(
            id=m.id,
            counted=bool(r["member_counted"][i]),
            category=MEMBER_CATEGORIES[int(r["member_category"][i])],
            benefit_monthly=Decimal(int(r["member_benefit_monthly"][i])),
        )
        for i, m in enumerate(household.members)
    ]
    months = int(r["gradual_exit_months"][0])
    return Assessment(
        region=household.region,
        on=p.day,
        category=category,
        monitoring_type=MONITORING_TYPES[int(r["monitoring"][0])],
        family_size=int(r["family_size"][0]),
        per_capita_monthly_income=yuan(r["per_capita_monthly_income_fen"][0]).quantize(Decimal("0.01")),
        benefit_monthly=Decimal(int(r["benefit_monthly"][0])),
        members=members,
        refer_other_low_income=bool(r["refer_other_low_income"][0]),
        gradual_exit_months=months or None,
        unverified_parameters=p.unverified_names(),
        parameters_digest=p.digest(),
        parameters_version=p.version,
        rule_set_version=RULE_SET_VERSION,
        trace=tracer.entries if tracer is not None else [],
        inputs=household.raw,
    )


@functools.lru_cache(maxsize=32)
def _file_parameters(county: str) -> ParameterSet:
    return ParameterSet.load(county)


def load_parameters(region: str, extra_entries=()) -> ParameterSet:
    """The county's parameter set (file values cached), with officer-entered entries appended."""
    base = _file_parameters(county_code(region))
    for entry in extra_entries:
        base = base.with_entry(entry)
    return base


def assess_json(data: Mapping, on: date | None = None, *, extra_entries=(), trace: bool = True) -> dict:
    """Parse, decide and render in one call: the JSON contract in, the JSON contract out."""
    on = on or date.today()
    household = parse_household(data, on=on)
    params = load_parameters(household.region, extra_entries).on(on)
    return assess(household, params, trace=trace).to_json()


# ---------------------------------------------------------------- a register


@dataclass
class BatchAssessment:
    """Result columns for a whole register, one row per household (and per member)."""

    columns: dict[str, np.ndarray]
    unverified_parameters: list[str]
    parameters_digest: str
    parameters_version: str
    rule_set_version: str = RULE_SET_VERSION
    reasons: CompactTrace | None = None  # with `assess_batch(..., reasons=True)`

    def __len__(self) -> int:
        return len(self.columns["category"])

    def category_names(self) -> np.ndarray:
        return np.array(CATEGORIES, dtype=object)[self.columns["category"]]

    def monitoring_names(self) -> np.ndarray:
        return np.array(MONITORING_TYPES, dtype=object)[self.columns["monitoring"]]

    def household_row(self, i: int) -> dict:
        c = self.columns
        mtype = MONITORING_TYPES[int(c["monitoring"][i])]
        return {
            "valid": bool(c["valid"][i]),
            "category": CATEGORIES[int(c["category"][i])],
            "monitoring": {"marked": mtype is not None, "type": mtype},
            "family_size": int(c["family_size"][i]),
            "per_capita_monthly_income": yuan(c["per_capita_monthly_income_fen"][i]).quantize(
                Decimal("0.01")
            ),
            "benefit_monthly": Decimal(int(c["benefit_monthly"][i])),
            "refer_other_low_income": bool(c["refer_other_low_income"][i]),
            "gradual_exit_months": int(c["gradual_exit_months"][i]) or None,
        }


def assess_batch(
    table: HouseholdTable,
    params: ParametersOnDate,
    *,
    reasons: bool = False,
    chunk_households: int = BATCH_CHUNK,
    workers: int = 1,
) -> BatchAssessment:
    """Decide every household of a register with the same rules as `assess`.

    No full trace; with `reasons=True` a `CompactTrace` (one int8 reason code per rule and row)
    explains every decision at about one byte per rule and row. Households without a counted
    member come out with `valid` false and category none.

    The register is decided in chunks of `chunk_households` (households are independent, so the
    result is the same): the working arrays of a chunk stay in the CPU cache and their memory is
    reused, which is faster and keeps peak memory down. `workers` > 1 decides chunks in threads
    (numpy releases the GIL in its loops).
    """
    p = params.fresh()
    n_h = table.n_households
    chunk = max(chunk_households, 1)
    starts = list(range(0, n_h, chunk)) or [0]

    def decide(start: int):
        part = table.slice(start, min(start + chunk, n_h)) if len(starts) > 1 else table
        compact = CompactTrace() if reasons else None
        return evaluate(part, p, compact=compact), compact, part.n_households, part.n_members

    if workers > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(decide, starts))
    else:
        parts = [decide(start) for start in starts]
    if len(parts) == 1:
        columns, compact = parts[0][0], parts[0][1]
    else:
        columns = {name: np.concatenate([part[0][name] for part in parts]) for name in parts[0][0]}
        compact = _merge_compact([(part[1], part[2], part[3]) for part in parts]) if reasons else None
    return BatchAssessment(columns, p.unverified_names(), p.digest(), p.version, reasons=compact)


def _merge_compact(parts: list[tuple[CompactTrace, int, int]]) -> CompactTrace:
    """One `CompactTrace` from the chunks' (a rule a chunk did not need is -1 for its rows)."""
    merged = CompactTrace()
    for trace, _, _ in parts:
        for rule in trace.codes:
            merged.names.setdefault(rule, trace.names[rule])
            merged.levels.setdefault(rule, trace.levels[rule])
    for rule, level in merged.levels.items():
        merged.codes[rule] = np.concatenate(
            [
                trace.codes[rule]
                if rule in trace.codes
                else np.full(n_m if level == "member" else n_h, -1, dtype=np.int8)
                for trace, n_h, n_m in parts
            ]
        )
    return merged
