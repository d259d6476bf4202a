"""The procedure's numbers are dated parameters: a new value entered by the county changes the
procedure from its effective date, without a code change."""

from __future__ import annotations

import datetime as dt

from safetynet.assessments import services as assessments
from safetynet.cases import selectors
from safetynet.cases.models import Case, RefusalLetter
from tests.cases.conftest import upload


def _set(users, name, value, on=dt.date(2026, 1, 1)):
    assessments.add_parameter_value(
        user=users["county_civil"],
        region="141029",
        name=name,
        value=value,
        effective_from=on,
        reference="测试通知 第一条",
        verified=True,
    )


def test_the_village_review_minimum_attendance_is_the_parameter_in_force(proc, users):
    _set(users, "procedure.village_review_min_attendance", 5)
    proc.to_review()
    record = proc.ok(upload(users["village_officer"], proc.case_id, "village_review_record"), 201)
    proc.refresh()
    r = proc.api["village_officer"].post(
        f"/cases/{proc.case_id}/village-review",
        {
            "version": proc.version,
            "held_on": proc.clock.day.isoformat(),
            "attendees": "村两委",
            "attendee_count": 4,
            "votes_for": 4,
            "votes_against": 0,
            "record_id": record["id"],
        },
    )
    assert r.status_code == 400 and r.json()["field"] == "attendee_count"
    assert "不少于5人" in r.json()["message"]
    proc.review(votes_for=4, votes_against=1, count=5)  # exactly at the minimum: accepted
    assert proc.data["state"] == "township_decision"


def test_the_refusal_letter_takes_its_periods_from_the_parameters(proc, users):
    _set(users, "procedure.refusal_explain_working_days", 5)
    _set(users, "procedure.objection_days", 30)
    proc.accept()
    proc.post("township_clerk", "/refuse", {"version": proc.version, "reason": "经核实家庭收入超过标准"})
    letter = RefusalLetter.objects.get(case_id=proc.case_id)
    assert "30日内申请行政复议" in letter.text and "6个月内提起行政诉讼" in letter.text
    # 2026-06-01 (Mon) + 5 working days = 2026-06-08 (Mon)
    assert letter.explain_by == dt.date(2026, 6, 8)


def test_the_due_soon_window_is_the_parameter_in_force(proc, users):
    proc.accept()
    case = Case.objects.get(pk=proc.case_id)
    on = dt.date(2026, 6, 22)  # deadline 2026-06-30: five working days left (6/23…6/30 minus none)
    remaining = selectors.clock(case, on).remaining
    assert not selectors.clock(case, on).due_soon
    _set(users, "procedure.due_soon_working_days", remaining)
    assert selectors.clock(case, on).due_soon
    assert selectors.due_soon_working_days(on) == remaining
