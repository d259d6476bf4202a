"""One household: `assess` (an `Assessment` with its full trace), `assess_json`, the JSON writers."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np

from safetynet.core.errors import ValidationFailed
from safetynet.policy.household import CATEGORIES, Household, parse_household
from safetynet.policy.params import ParameterSet, ParametersOnDate, county_code
from safetynet.policy.pipeline import RULE_SET_VERSION, evaluate
from safetynet.policy.sentences import add_sentences
from safetynet.policy.table import HouseholdTable
from safetynet.policy.trace import MEMBER_CATEGORIES, MONITORING_TYPES, Tracer, yuan


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
    t = type(value)
    if t is str or t is int or t is bool or value is None:  # the common leaves, without the checks
        return value
    if t is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
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
        _quote_judgement_reason(tracer.entries, household)
        tracer.note(
            "category",
            "整户认定结果",
            "乡宁县衔接并轨工作方案 二(四)（整户优先：特困→低保→边缘→刚性）",
            {},
            {"value": category},
        )
        add_sentences(tracer.entries, hukou=household.hukou)
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


def _quote_judgement_reason(entries: list[dict], household: Household) -> None:
    """The monitoring mark's trace quotes the reason the officer gave for a recorded risk judgement
    (text, so it is no column of the table: the batch path's compact trace has no place for it)."""
    if household.risk_judgement is None or not household.risk_judgement_reason:
        return
    for entry in entries:
        if entry["rule"] == "monitoring_mark":
            entry["inputs"]["risk_judgement_reason"] = household.risk_judgement_reason


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
