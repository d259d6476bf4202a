"""The procedure numbers the cases app reads are dated, sourced parameters in the county's store."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.policy import load_parameters

ON = dt.date(2026, 6, 1)

# name -> (unit, value shipped today)
PROCEDURE = {
    "procedure.refusal_explain_working_days": ("working_days", 3),
    "procedure.village_review_min_attendance": ("count", 3),
    "procedure.objection_days": ("days", 60),
    "procedure.appeal_months": ("months", 6),
    "procedure.due_soon_working_days": ("working_days", 3),
    "procedure.notice_min_days": ("days", 5),
    "procedure.deadline_working_days": ("working_days", 20),
    "procedure.extended_working_days": ("working_days", 45),
}


@pytest.mark.parametrize("name", sorted(PROCEDURE))
def test_each_procedure_number_loads_on_2026_06_01_with_a_reference(name):
    p = load_parameters("141029").on(ON)
    unit, value = PROCEDURE[name]
    assert p[name] == value and type(p[name]) is int
    assert p.unit(name) == unit and p.label(name)
    assert len(p.meta(name).reference) > 10  # a document, not a placeholder


def test_procedure_numbers_without_an_official_text_say_so_and_stay_unverified():
    p = load_parameters("141029").on(ON)
    for name in ("procedure.due_soon_working_days", "procedure.village_review_min_attendance"):
        assert "无正式文件" in p.meta(name).reference and not p.meta(name).verified
    assert "POLICY.md §9" in p.meta("procedure.refusal_explain_working_days").reference
    assert "行政复议法" in p.meta("procedure.objection_days").reference
    assert "行政诉讼法" in p.meta("procedure.appeal_months").reference
