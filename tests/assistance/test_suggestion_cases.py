"""Golden cases of the suggestion rules: one situation per file in `cases/`, named by a sentence.

A case gives one household's facts (the entitlement in force, the members, the 住建 grade) and the
day; `expected` lists every suggestion of the rules named in `rules` (all rules when absent), each
with kind, member, department, reason code and amount where there is one. The parameters are the
county's shipped file, as the township's suggestions read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from safetynet.assistance import suggestions
from safetynet.assistance.suggestions import HouseholdFacts, MemberFacts, RuleWithoutClause, suggest
from safetynet.policy.params import ParameterSet

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def _facts(h: dict) -> HouseholdFacts:
    members = tuple(
        MemberFacts(
            person_id=m["id"],
            age=m["age"],
            labour_capacity=m.get("labour_capacity", "full"),
            fulltime_education=m.get("fulltime_education", False),
            disability_grade=m.get("disability_grade"),
            major_illness=m.get("major_illness", False),
            work_income_12m=Decimal(str(m.get("work_income_12m", 0))),
            category=m.get("category", ""),
        )
        for m in h["members"]
    )
    return HouseholdFacts(
        household_id=1,
        category=h.get("category", "none"),
        monitoring_marked=h.get("monitoring_marked", False),
        hukou=h.get("hukou", "rural"),
        alleviated=h.get("alleviated", False),
        house_grade=h.get("house_grade", ""),
        head_id=h.get("head"),
        members=members,
    )


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_suggestion_case(path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    on = dt.date.fromisoformat(str(case["on"]))
    params = ParameterSet.load("141029").on(on).fresh()
    got = suggest(_facts(case["household"]), params)
    if "rules" in case:
        got = [s for s in got if s.rule in case["rules"]]
    actual = sorted(
        (s.kind, s.person_id, s.department, s.reason, s.rule, None if s.amount is None else str(s.amount))
        for s in got
    )
    expected = sorted(
        (e["kind"], e["person"], e["department"], e["reason"], e.get("rule", e["kind"]), e.get("amount"))
        for e in case["expected"]
    )
    assert actual == expected
    for s in got:
        assert s.clause == suggestions.RULES[s.rule].clause
        assert "〔" in s.clause or "《" in s.clause, "every suggestion cites its source"


def test_every_rule_has_a_case_that_fires_it():
    fired = set()
    for path in CASES:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        fired |= {e.get("rule", e["kind"]) for e in case["expected"]}
    assert fired == set(suggestions.RULES)


def test_a_rule_without_its_clause_is_refused_when_defined():
    with pytest.raises(RuleWithoutClause):

        @suggestions.suggestion_rule
        def no_clause(h, p):
            """Only a sentence."""
            return []

    assert "no_clause" not in suggestions.RULES
