"""The investigating officer's risk judgement, recorded on the household, decides the 防返贫监测 mark
of a rural household inside the monitoring range (POLICY.md §8); without it the risk events do."""

from __future__ import annotations

import datetime as dt

from safetynet.assessments import services
from safetynet.registry.services import update_household_facts
from tests.assessments.test_services import poor_household  # noqa: F401  (fixture)

ON = dt.date(2026, 6, 1)


def _mark(user, household):
    row = services.assess_household(user=user, household_id=household.pk, on=ON)
    return row.result["monitoring"]


def test_the_judgement_recorded_at_investigation_decides_the_mark(poor_household, users):  # noqa: F811
    clerk = users["township_clerk"]
    assert _mark(clerk, poor_household)["marked"] is False  # inside the range, no risk at all
    update_household_facts(
        user=clerk,
        household=poor_household,
        facts={"risk_judgement": True, "risk_judgement_reason": "户主重病，无稳定收入"},
    )
    assert _mark(clerk, poor_household)["marked"] is True
    update_household_facts(
        user=clerk,
        household=poor_household,
        facts={
            "risk_events": ["illness"],
            "risk_judgement": False,
            "risk_judgement_reason": "已有稳定务工收入",
        },
    )
    assert _mark(clerk, poor_household)["marked"] is False  # a recorded "not at risk" wins over events


def test_without_a_judgement_a_risk_event_marks_the_household(poor_household, users):  # noqa: F811
    clerk = users["township_clerk"]
    update_household_facts(user=clerk, household=poor_household, facts={"risk_events": ["disaster"]})
    mark = _mark(clerk, poor_household)
    assert mark["marked"] is True and mark["type"] in ("edge_prone", "unstable_alleviated")


def test_the_stored_assessment_quotes_the_reason_recorded_with_the_judgement(poor_household, users):  # noqa: F811
    clerk = users["township_clerk"]
    update_household_facts(
        user=clerk,
        household=poor_household,
        facts={"risk_judgement": True, "risk_judgement_reason": "户主重病，无稳定收入"},
    )
    row = services.assess_household(user=clerk, household_id=poor_household.pk, on=ON)
    assert row.inputs["risk_judgement"] is True
    assert row.inputs["risk_judgement_reason"] == "户主重病，无稳定收入"
    (entry,) = [e for e in row.result["trace"] if e["rule"] == "monitoring_mark"]
    assert entry["result"]["reason"] == "inside_range_at_risk_by_judgement"
    assert entry["inputs"]["risk_judgement_reason"] == "户主重病，无稳定收入"
    assert services.recompute(row) == row.result
