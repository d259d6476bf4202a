"""The decision's shape: trace, money as numbers, reproducibility fields, batch over a register."""

import json
from datetime import date
from decimal import Decimal

from safetynet.policy import (
    HouseholdTable,
    assess,
    assess_batch,
    assess_json,
    load_parameters,
    parse_household,
)
from safetynet.policy import rules as R

from .test_validation import household

ON = date(2025, 6, 1)


def test_every_rule_docstring_opens_with_chinese_term_and_clause():
    for name, fn in R.RULES.items():
        assert fn.term and any("\u4e00" <= ch <= "\u9fff" for ch in fn.term), name
        assert "〔" in fn.clause or "办法" in fn.clause or "方案" in fn.clause, name


def test_trace_explains_each_rule_applied():
    result = assess_json(household(), ON)
    rules = [entry["rule"] for entry in result["trace"]]
    assert rules[:3] == ["counted_member", "family_size", "family_income"]
    assert "dibao_household" in rules and rules[-1] == "category"
    for entry in result["trace"]:
        assert set(entry) >= {"rule", "clause", "inputs", "result"}
        assert "reason" in entry["result"] or entry["rule"] == "category"
    income = next(e for e in result["trace"] if e["rule"] == "family_income")
    assert income["inputs"]["counted_income"] == 7200


def test_output_is_plain_json_with_numbers_and_reproducibility_fields():
    result = assess_json(household(), ON)
    text = json.dumps(result)  # no Decimal, no numpy type left
    assert '"benefit_monthly": 560' in text  # 580 × 2 − 600
    assert result["category"] == "dibao" and result["benefit_monthly"] == 560
    assert result["per_capita_monthly_income"] == 300
    assert len(result["parameters_digest"]) == 64
    assert result["rule_set_version"] and result["parameters_version"].startswith("141029/")
    assert result["unverified_parameters"] == sorted(result["unverified_parameters"])
    assert "dibao.standard_monthly.rural" in result["unverified_parameters"]
    assert "dibao.standard_monthly.urban" not in result["unverified_parameters"]  # not used


def test_assessment_keeps_decimals_for_storage():
    params = load_parameters("141029").on(ON)
    a = assess(parse_household(household(), on=ON), params)
    assert isinstance(a.to_dict()["benefit_monthly"], Decimal)
    assert a.parameters_digest == params.digest()
    assert a.inputs["region"] == "141029"


def test_same_params_object_gives_each_decision_its_own_unverified_list():
    params = load_parameters("141029").on(ON)
    urban = household() | {"hukou": "urban"}
    assess(parse_household(urban, on=ON), params)
    rural = assess(parse_household(household(), on=ON), params)
    assert "dibao.standard_monthly.urban" not in rural.unverified_parameters


def test_batch_runs_over_a_register_of_many_households():
    households = [parse_household(household(), on=ON) for _ in range(3)]
    table = HouseholdTable.from_households(households)
    batch = assess_batch(table, load_parameters("141029").on(ON))
    assert list(batch.category_names()) == ["dibao"] * 3
    assert batch.columns["benefit_monthly"].tolist() == [560, 560, 560]
    assert batch.parameters_digest
