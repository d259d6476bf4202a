"""The whole procedure end to end through the API, and its loops."""

from __future__ import annotations

import datetime as dt

from safetynet.audit.models import AuditRecord
from safetynet.cases.models import Message
from safetynet.entitlements.models import Entitlement


def test_a_dibao_household_goes_from_lead_to_archive(proc, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _whole_procedure(proc, clock)
    # Messages are stored with the case in the step's transaction and sent once it commits.
    kinds = list(Message.objects.filter(case_id=proc.case_id).values_list("kind", "status"))
    assert kinds == [("receipt", "sent"), ("notice", "sent"), ("approval", "sent")]
    assert Message.objects.filter(case_id=proc.case_id, channel="store").count() == 3


def _whole_procedure(proc, clock):
    data = proc.accept()
    assert data["state"] == "accepted"
    assert data["deadline"] == "2026-06-30"  # 20 working days after 2026-06-01 (Dragon Boat 6/19 off)
    assert data["records"]["leads"][0]["channel"] == "grassroots"
    proc.fire("village_officer", "start_investigation")
    proc.investigate()
    proc.consent()
    proc.fire("village_officer", "start_verification")
    proc.verify()
    proc.fire("township_clerk", "complete_verification")
    proc.review()
    assert proc.data["state"] == "township_decision"
    proc.decide()
    assert proc.data["state"] == "notice"
    decision = proc.data["records"]["decisions"][0]
    assert decision["category"] == "dibao" and decision["publishes"]
    notice = proc.data["records"]["notices"][0]
    assert notice["entries"][0]["name"] == "王*山"
    assert set(notice["entries"][0]) == {
        "name",
        "village",
        "scope",
        "family_size",
        "category",
        "benefit_monthly",
    }
    clock.advance(5)
    proc.fire("township_clerk", "close_notice")
    assert proc.data["state"] == "county_filing"
    proc.post("county_civil", "/county-filing", {"version": proc.version, "note": "同意备案"})
    assert proc.data["state"] == "archived"
    status = Entitlement.objects.get(household=proc.household, valid_until__isnull=True)
    assert status.category == "dibao"
    assert status.valid_from == dt.date(2026, 7, 1)
    names = [t["name"] for t in proc.data["records"]["transitions"]]
    assert names == [
        "accept",
        "start_investigation",
        "start_verification",
        "complete_verification",
        "village_review_passed",
        "decide_with_notice",
        "close_notice",
        "county_file",
    ]
    audited = set(
        AuditRecord.objects.filter(object_type="case", object_id=str(proc.case_id)).values_list(
            "action", flat=True
        )
    )
    assert {f"case.{n}" for n in names} <= audited
