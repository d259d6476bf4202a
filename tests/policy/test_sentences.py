"""The decision trace reads as plain Chinese: every step one sentence with its figures and its clause,
no code and no Python repr; the structured entry stays beside it for machines."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from safetynet.policy import assess_json, load_parameters
from safetynet.policy import rules as R
from safetynet.policy import sentences as S

from .test_validation import household

ON = date(2025, 6, 1)
CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
PIPELINE_NOTES = {"family_size", "category"}  # steps the pipeline records itself (pipeline.py, single.py)

# Figures a sentence may leave out, each for a stated reason.
NOT_SAID = {
    # A member without a disability has grade 0: nothing to say.
    ("no_work_capacity", "disability_grade"),
    ("individual_dibao_member", "disability_grade"),
    ("classified_increment", "disability_grade"),
    # The override replaces the declared income; a zero override is no override at all.
    ("family_income", "override_monthly"),
    # Of the increments the sentence says yuan; the trace keeps them in fen (see sentences.py).
    ("classified_increment", "increments"),
    # 分类施保 names the members who get an increment (with their age), not everyone's age.
    ("classified_increment", "age"),
}
ASCII_WORD = re.compile(r"[A-Za-z_]{2,}")


def _golden_traces():
    for path in CASES:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        on = case["on"] if isinstance(case["on"], date) else date.fromisoformat(case["on"])
        result = assess_json(case["input"], on, extra_entries=case.get("extra_parameters", ()))
        yield path.stem, case["input"]["hukou"], result["trace"]


def _figures(rule: str, values: dict):
    """The numbers of a step's inputs and result (scalars, and the items of per-member lists)."""
    for name, value in values.items():
        if (rule, name) in NOT_SAID or name in ("value", "reason"):
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, int | float | Decimal) and not isinstance(item, bool):
                yield name, item


def test_every_rule_of_the_rule_set_has_a_writer_and_is_heard_in_the_golden_cases():
    assert set(R.RULES) | PIPELINE_NOTES <= set(S.WRITERS)
    heard = {entry["rule"] for _, _, trace in _golden_traces() for entry in trace}
    assert set(R.RULES) <= heard, f"rules no golden case exercises: {set(R.RULES) - heard}"


def test_every_step_is_one_plain_sentence_with_its_figures_and_its_clause():
    problems = []
    for name, hukou, trace in _golden_traces():
        for entry in trace:
            text, rule = entry["sentence"], entry["rule"]
            where = f"{name} / {rule}: {text}"
            if not text.endswith(f"（{S.clause_text(entry['clause'])}）"):
                problems.append(f"clause missing — {where}")
            if ASCII_WORD.search(text) or "[" in text or "]" in text or "{" in text:
                problems.append(f"code or Python repr — {where}")
            body = text.removesuffix(f"（{S.clause_text(entry['clause'])}）")
            if re.search(r"\d{4,}", body):
                problems.append(f"amount without thousands separator — {where}")
            result = {k: v for k, v in entry["result"].items() if k not in ("value", "reason")}
            if rule in ("family_size", "classified_increment", "dibao_amount", "tekun_amount"):
                result["value"] = entry["result"]["value"]
            for field, figure in [*_figures(rule, entry["inputs"]), *_figures(rule, result)]:
                if not any(f(figure) in body for f in (S.num, S.factor, S.share)):
                    problems.append(f"{field}={figure} not said — {where}")
            if rule in ("income_below_dibao_standard", "assets_within_limits", "dibao_amount"):
                if ("农村" if hukou == "rural" else "城市") + "低保标准" not in text:
                    problems.append(f"the hukou's standard not named — {where}")
    assert not problems, "\n".join(problems[:20])


def _standard(hukou: str) -> Decimal:
    return load_parameters("141029").on(ON)[f"dibao.standard_monthly.{hukou}"]


@pytest.mark.parametrize("hukou, name", [("rural", "农村低保标准"), ("urban", "城市低保标准")])
def test_income_below_the_standard_reads_with_both_figures_the_hukous_standard_and_the_clause(hukou, name):
    data = copy.deepcopy(household())
    data["hukou"] = hukou
    data["members"] = data["members"][:1]
    data["members"][0]["income_12m"]["wage"] = 260 * 12  # 260 yuan a month, one person
    trace = assess_json(data, ON)["trace"]
    step = next(e for e in trace if e["rule"] == "income_below_dibao_standard")
    standard = _standard(hukou)
    assert 260 < standard  # the parameter in force puts this household below the line
    assert f"家庭月人均收入 260 元，低于{name} {S.num(standard)} 元" in step["sentence"]
    assert step["sentence"].endswith(f"（{R.income_below_dibao_standard.clause}）")
    assert "民发〔2021〕57号" in step["sentence"]
    # the machine-readable step is still there, beside the sentence
    assert step["inputs"]["standard"] == standard and step["result"]["value"] is True


def test_income_at_the_standard_is_not_below_it():
    data = copy.deepcopy(household())
    data["members"] = data["members"][:1]
    standard = _standard("rural")
    data["members"][0]["income_12m"]["wage"] = int(standard * 12)
    step = next(e for e in assess_json(data, ON)["trace"] if e["rule"] == "income_below_dibao_standard")
    assert f"家庭月人均收入 {S.num(standard)} 元，不低于农村低保标准 {S.num(standard)} 元" in step["sentence"]


def test_amounts_carry_thousands_separators():
    data = copy.deepcopy(household())
    data["members"][0]["income_12m"]["wage"] = 14400
    data["members"][1]["income_12m"]["wage"] = 0
    income = next(e for e in assess_json(data, ON)["trace"] if e["rule"] == "family_income")
    assert "14,400 元" in income["sentence"] and "14400" not in income["sentence"]
    assert S.yuan(Decimal("1234567.5")) == "1,234,567.50 元" and S.yuan(3120) == "3,120 元"


def test_codes_are_named_in_chinese():
    data = copy.deepcopy(household())
    trace = assess_json(data, ON)["trace"]
    category = next(e for e in trace if e["rule"] == "category")
    assert category["result"]["value"] == "dibao" and category["sentence"].startswith("整户认定结果：低保")
    counted = next(e for e in trace if e["rule"] == "counted_member")
    assert "户主" in counted["sentence"] and "配偶" in counted["sentence"]
    assert "core_family" not in counted["sentence"]


def test_a_trace_stored_without_sentences_is_described_when_shown_and_compared_without_them():
    result = assess_json(household(), ON)
    stored = [{k: v for k, v in e.items() if k != "sentence"} for e in result["trace"]]
    shown = S.with_sentences(stored, hukou="rural")
    assert [e["sentence"] for e in shown] == [e["sentence"] for e in result["trace"]]
    assert all("sentence" not in e for e in stored)  # the stored trace is left as it was
    assert S.without_sentences(result) == S.without_sentences({**result, "trace": stored})
    assert S.without_sentences(result) != S.without_sentences({**result, "trace": stored[1:]})
