"""The state machine as declared: its graph, its purity, its guards' reasons."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from safetynet.cases import workflow
from safetynet.cases.workflow import CaseFacts, State

EDGES = (
    {
        ("accepted", "investigation"),
        ("investigation", "verification"),
        ("verification", "village_review"),
        ("village_review", "township_decision"),
        ("village_review", "investigation"),
        ("township_decision", "notice"),
        ("township_decision", "county_filing"),
        ("township_decision", "leading_group"),
        ("leading_group", "notice"),
        ("leading_group", "county_filing"),
        ("notice", "investigation"),
        ("notice", "county_filing"),
        ("county_filing", "archived"),
        # change, review and stop cases: no village review
        ("accepted", "verification"),
        ("verification", "township_decision"),
        ("township_decision", "archived"),
        ("township_decision", "stop_notice"),
        ("stop_notice", "township_decision"),
        ("stop_notice", "county_filing"),
    }
    | {
        (s, "refused")
        for s in (
            "accepted",
            "investigation",
            "verification",
            "village_review",
            "township_decision",
            "notice",
            "leading_group",
            "county_filing",
        )
    }
    | {(s.value, "withdrawn") for s in workflow.OPEN}
)


def test_the_exported_graph_is_the_procedure():
    assert workflow.edges() == EDGES
    table = workflow.transition_table()
    assert [r["name"] for r in table][:3] == [
        "start_investigation",
        "start_verification",
        "complete_verification",
    ]
    row = next(r for r in table if r["name"] == "start_verification")
    assert row == {
        "name": "start_verification",
        "label": "提交经济状况核对",
        "sources": ["investigation"],
        "target": "verification",
        "perm": "investigate",
        "record": "入户调查记录；已签字的承诺授权书",
        "guards": ["_investigation_recorded", "_consent_uploaded"],
    }


def test_final_states_have_no_way_out():
    assert all(not workflow.available(s) for s in workflow.FINAL)


def _imports(path) -> list[str]:
    tree = ast.parse(Path(path).read_text())
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    return names + [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]


def test_the_workflow_imports_nothing_from_django():
    """Pure: its only import of the project is the glossary of labels, itself pure."""
    from safetynet.core import glossary

    names = _imports(workflow.__file__)
    assert not [n for n in names if n.startswith(("django", "safetynet")) and n != "safetynet.core"]
    assert not [n for n in _imports(glossary.__file__) if n.startswith(("django", "safetynet"))]


def test_guards_say_why_they_refuse():
    facts = CaseFacts(state=State.INVESTIGATION, today=dt.date(2026, 6, 1), has_investigation=True)
    r = workflow.check(workflow.transition("start_verification"), facts)
    assert (r.code, r.message) == ("consent_missing", "承诺授权书未上传。")
    notice = CaseFacts(
        state=State.NOTICE, today=dt.date(2026, 6, 5), notice_starts_on=dt.date(2026, 6, 1), notice_min_days=5
    )
    assert workflow.check(workflow.transition("close_notice"), notice).code == "notice_too_short"
    done = CaseFacts(
        state=State.NOTICE, today=dt.date(2026, 6, 6), notice_starts_on=dt.date(2026, 6, 1), notice_min_days=5
    )
    assert workflow.check(workflow.transition("close_notice"), done) is None
    wrong = workflow.check(workflow.transition("county_file"), facts)
    assert wrong.code == "invalid_transition"
