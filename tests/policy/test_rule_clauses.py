"""A rule without its statutory clause fails when it is defined (at import), for the policy rules
and for the comparison rules alike."""

from __future__ import annotations

import pytest

from safetynet.policy import rules as policy_rules
from safetynet.verification import rules as comparison_rules


def test_every_policy_rule_carries_a_term_and_a_clause():
    assert policy_rules.RULES
    for fn in policy_rules.RULES.values():
        assert fn.term and ("号" in fn.clause or "法" in fn.clause or "方案" in fn.clause), fn.__name__


def test_a_policy_rule_without_a_clause_fails_when_defined():
    with pytest.raises(policy_rules.RuleWithoutClause, match="without_clause"):

        @policy_rules.rule("household")
        def without_clause(x):
            """家庭收入"""
            return x

    with pytest.raises(policy_rules.RuleWithoutClause):

        @policy_rules.rule("member")
        def without_docstring(x):
            return x

    with pytest.raises(policy_rules.RuleWithoutClause):

        @policy_rules.rule("member")
        def empty_clause(x):
            """家庭收入 —"""
            return x

    assert not {"without_clause", "without_docstring", "empty_clause"} & set(policy_rules.RULES)


def test_every_comparison_rule_carries_a_clause():
    for r in comparison_rules.RULES:
        assert r.basis.strip() and ("号" in r.basis or "GB" in r.basis), r.code


@pytest.mark.parametrize("basis", ["", "   "])
def test_a_comparison_rule_without_a_clause_fails_when_defined(basis):
    with pytest.raises(comparison_rules.RuleWithoutClause, match="no_clause"):
        comparison_rules.Rule(
            "no_clause",
            "没有依据的规则",
            comparison_rules.DATA_COMPARISON,
            (),
            basis,
            "person",
            (),
            "",
            lambda t, p: None,
        )
