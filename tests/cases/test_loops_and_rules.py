"""The loops (objection, failed vote), refusals, withdrawal, the leading group, 谁救助谁公示,
the transition-period rule and decision reproducibility."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.cases import services
from safetynet.cases.models import Case, RefusalLetter
from safetynet.entitlements.models import Entitlement
from tests.cases.conftest import Proc, upload
from tests.conftest import VILLAGE_A, member


def test_verification_cannot_start_without_the_signed_consent(proc):
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    proc.investigate()
    r = proc.api["village_officer"].post(
        f"/cases/{proc.case_id}/transitions/start_verification", {"version": proc.version}
    )
    assert r.status_code == 400
    assert r.json() == {"code": "consent_missing", "message": "承诺授权书未上传。", "field": None}


def test_verification_cannot_start_before_the_investigation_is_recorded(proc):
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    proc.consent()
    r = proc.api["village_officer"].post(
        f"/cases/{proc.case_id}/transitions/start_verification", {"version": proc.version}
    )
    assert r.json()["code"] == "investigation_missing"


def test_an_upload_that_is_not_a_scan_or_photo_is_refused(proc):
    proc.accept()
    r = upload(proc.u["village_officer"], proc.case_id, "consent", data=b"MZ\x90\x00binary", name="x.pdf")
    assert r.status_code == 400 and r.json()["field"] == "file"
    assert (
        upload(proc.u["village_officer"], proc.case_id, "consent", data=b"", name="x.pdf").status_code == 400
    )


def test_the_review_cannot_start_until_every_member_is_verified(proc):
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    proc.investigate()
    proc.consent()
    proc.fire("village_officer", "start_verification")
    head = proc.household.head_id
    proc.post(
        "township_clerk",
        "/verification-results",
        {"version": proc.version, "results": [{"person_id": head, "outcome": "consistent"}]},
    )
    r = proc.api["township_clerk"].post(
        f"/cases/{proc.case_id}/transitions/complete_verification", {"version": proc.version}
    )
    assert r.json()["code"] == "verification_incomplete"


def test_an_objection_sends_the_case_back_to_investigation_and_restarts_the_notice(proc, clock):
    proc.to_decision()
    proc.decide()
    assert proc.data["state"] == "notice"
    clock.advance(2)
    proc.post(
        "village_officer", "/objections", {"version": proc.version, "content": "群众反映其子在外务工收入较高"}
    )
    assert proc.data["state"] == "investigation" and proc.data["round"] == 2
    assert proc.data["records"]["notices"][0]["status"] == "interrupted"
    # The second round needs its own investigation, verification and review.
    r = proc.api["village_officer"].post(
        f"/cases/{proc.case_id}/transitions/start_verification", {"version": proc.version}
    )
    assert r.json()["code"] == "investigation_missing"
    proc.investigate()
    proc.fire("village_officer", "start_verification")  # the consent signed once still holds
    proc.verify()
    proc.fire("township_clerk", "complete_verification")
    proc.review()
    proc.decide()
    notices = proc.data["records"]["notices"]
    assert [n["round"] for n in notices] == [1, 2] and notices[1]["status"] == "open"
    assert notices[1]["starts_on"] == clock.day.isoformat()
    clock.advance(4)
    r = proc.api["township_clerk"].post(
        f"/cases/{proc.case_id}/transitions/close_notice", {"version": proc.version}
    )
    assert r.status_code == 400 and r.json()["code"] == "notice_too_short"
    clock.advance(1)
    proc.fire("township_clerk", "close_notice")
    assert proc.data["state"] == "county_filing"


def test_a_failed_vote_on_a_qualifying_family_goes_back_to_investigation(proc):
    proc.to_review()
    proc.review(votes_for=3, votes_against=5, count=9)
    assert proc.data["state"] == "investigation" and proc.data["round"] == 2
    review = proc.data["records"]["village_reviews"][0]
    assert review["result"] == "failed" and review["qualifies"] is True
    assert proc.data["records"]["transitions"][-1]["name"] == "village_review_reinvestigate"


def test_a_failed_vote_on_a_family_that_does_not_qualify_waits_for_a_written_refusal(
    users, well_off_household, clock
):
    p = Proc(users, well_off_household, clock)
    p.accept()
    p.fire("village_officer", "start_investigation")
    p.investigate()
    p.consent()
    p.fire("village_officer", "start_verification")
    p.verify()
    p.fire("township_clerk", "complete_verification")
    p.review(votes_for=1, votes_against=8, count=9)
    assert p.data["state"] == "village_review"
    r = p.api["township_clerk"].post(f"/cases/{p.case_id}/refuse", {"version": p.version, "reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    p.post(
        "township_clerk",
        "/refuse",
        {"version": p.version, "reason": "家庭人均收入高于低保边缘标准，民主评议未通过"},
    )
    assert p.data["state"] == "refused"
    letter = p.data["records"]["refusal_letter"]
    assert letter["step"] == "village_review"
    assert letter["explain_by"] == "2026-06-04"  # 3 working days after Monday 2026-06-01
    assert "民主评议未通过" in letter["text"]


def test_a_refusal_across_spring_festival_is_explained_by_the_third_working_day(users, poor_household, clock):
    clock.set(dt.date(2026, 2, 13))
    p = Proc(users, poor_household, clock)
    p.accept()
    p.post("township_clerk", "/refuse", {"version": p.version, "reason": "申请人户籍不在本县"})
    # 2/14 (make-up Saturday), 2/24, 2/25 — the holiday 2/15–2/23 does not count.
    assert RefusalLetter.objects.get(case_id=p.case_id).explain_by == dt.date(2026, 2, 25)


def test_the_applicant_may_withdraw_at_any_open_step(proc):
    proc.to_decision()
    proc.post("village_officer", "/withdraw", {"version": proc.version, "reason": "申请人书面申请撤回"})
    assert proc.data["state"] == "withdrawn" and proc.data["closed_on"]
    r = proc.api["village_officer"].post(
        f"/cases/{proc.case_id}/withdraw", {"version": proc.version, "reason": "x"}
    )
    assert r.status_code == 409


def test_recognition_as_edge_alone_is_not_published(users, make_household, clock):
    # One person, 700 yuan a month: above the rural 低保 standard (600), below 1.5 × it.
    h = make_household(
        VILLAGE_A, members=[member("head", name="孙二娃", birth=dt.date(1980, 1, 1), income_wage_12m="8400")]
    )
    p = Proc(users, h, clock)
    p.to_decision()
    p.decide()
    d = p.data["records"]["decisions"][0]
    assert d["category"] == "dibao_edge" and d["publishes"] is False
    assert p.data["state"] == "county_filing" and p.data["records"]["notices"] == []


def test_an_edge_family_with_a_seriously_ill_member_publishes_only_that_member(users, make_household, clock):
    h = make_household(
        VILLAGE_A,
        members=[
            member("head", name="周建国", birth=dt.date(1970, 1, 1), income_wage_12m="18000"),
            member("spouse", name="吴桂兰", birth=dt.date(1972, 1, 1), major_illness=True),
        ],
    )
    p = Proc(users, h, clock)
    p.to_decision()
    p.decide()
    assert p.data["state"] == "notice"
    entries = p.data["records"]["notices"][0]["entries"]
    assert [(e["name"], e["scope"]) for e in entries] == [("吴*兰", "单人")]


def test_other_low_income_goes_to_the_leading_group(users, make_household, clock):
    h = make_household(VILLAGE_A, members=[member("head", name="郑老汉", birth=dt.date(1960, 1, 1))])
    p = Proc(users, h, clock)
    p.accept()
    p.fire("village_officer", "start_investigation")
    p.investigate(household_facts={"financial_assets": "500000"})
    p.consent()
    p.fire("village_officer", "start_verification")
    p.verify()
    p.fire("township_clerk", "complete_verification")
    p.review()
    p.decide()
    assert p.data["state"] == "leading_group"
    assert p.data["records"]["decisions"][0]["outcome"] == "refer"
    r = p.api["review_leader"].post(
        f"/cases/{p.case_id}/leading-group-decision",
        {"version": p.version, "approved": True, "meeting": "x", "opinion": "y"},
    )
    assert r.status_code == 403
    p.post(
        "leading_office",
        "/leading-group-decision",
        {
            "version": p.version,
            "approved": True,
            "meeting": "县领导小组2026年第3次会议",
            "opinion": "同意认定",
        },
    )
    assert p.data["state"] == "county_filing"
    p.post("county_civil", "/county-filing", {"version": p.version})
    assert Entitlement.objects.get(household=h, valid_until__isnull=True).category == "other_low_income"


def test_an_override_needs_a_reason_and_is_kept_with_the_proposal(proc):
    proc.to_decision()
    body = {
        "version": proc.version,
        "action": "override",
        "panel": "组长等三人",
        "values": {"category": "dibao", "benefit_monthly": "1000"},
    }
    r = proc.api["review_leader"].post(f"/cases/{proc.case_id}/township-decision", body)
    assert r.status_code == 400 and r.json()["field"] == "reason"
    proc.post("review_leader", "/township-decision", {**body, "reason": "入户核实另有医疗支出"})
    d = proc.data["records"]["decisions"][0]
    assert d["overridden"] and d["benefit_monthly"] == "1000.00"
    assert d["proposal"]["category"] == "dibao" and d["proposal"]["benefit_monthly"] != "1000"


def test_a_past_decision_recomputes_exactly_as_it_was_made(proc, users):
    proc.to_decision()
    proc.decide()
    d = proc.data["records"]["decisions"][0]
    # The registry changes after the decision; the frozen decision does not.
    proc.household.refresh_from_db()
    from safetynet.registry.services import update_household_facts

    update_household_facts(
        user=users["township_clerk"], household=proc.household, facts={"financial_assets": "1"}
    )
    out = proc.ok(proc.api["auditor"].get(f"/cases/{proc.case_id}/decisions/{d['id']}/explain"))
    assert out["identical"] is True
    assert out["parameters_digest"] == d["parameters_digest"]


@pytest.fixture
def monitored_household(users, make_household, monkeypatch):
    """A household archived in 2025 as 低保 with the 边缘易致贫 monitoring mark."""
    h = make_household(
        VILLAGE_A,
        members=[
            member("head", name="冯长生", birth=dt.date(1966, 1, 1)),
            member("spouse", name="陈翠花", birth=dt.date(1968, 1, 1)),
        ],
    )
    return h


def test_a_monitored_household_is_not_exited_during_the_transition_period(users, monitored_household, clock):
    clock.set(dt.date(2025, 6, 2))
    p = Proc(users, monitored_household, clock)
    p.to_decision()
    p.decide()
    assert p.data["records"]["decisions"][0]["monitoring_marked"] is True
    clock.advance(5)
    p.fire("township_clerk", "close_notice")
    p.post("county_civil", "/county-filing", {"version": p.version})
    assert Entitlement.objects.get(household=monitored_household, valid_until__isnull=True).monitoring_marked
    # A second application: incomes now above the monitoring line (800 a month each), still 边缘.
    clock.set(dt.date(2025, 9, 1))
    q = Proc(users, monitored_household, clock)
    assert q.accept()["kind"] == "review"  # by default a household in force is reviewed …
    q.post("township_clerk", "/withdraw", {"version": q.version, "reason": "按新申请办理"})
    q.accept("application")  # … unless the window takes it as a new application
    q.fire("village_officer", "start_investigation")
    members = [
        {"membership_id": m.pk, "income_wage_12m": "9600"}
        for m in monitored_household.memberships.filter(left_on__isnull=True)
    ]
    q.investigate(members=members)
    q.consent()
    q.fire("village_officer", "start_verification")
    q.verify()
    q.fire("township_clerk", "complete_verification")
    q.review()
    body = {
        "version": q.version,
        "action": "override",
        "panel": "三人",
        "reason": "收入增加",
        "values": {"category": "dibao_edge", "monitoring_marked": False},
    }
    r = q.api["review_leader"].post(f"/cases/{q.case_id}/township-decision", body)
    assert r.status_code == 400 and r.json()["code"] == "monitoring_exit_in_transition"
    q.decide()  # confirming the proposal (边缘, unmarked) carries the mark over
    d = q.data["records"]["decisions"][-1]
    assert d["proposal"]["monitoring_marked"] is False
    assert (d["category"], d["monitoring_marked"], d["monitoring_type"]) == ("dibao_edge", True, "edge_prone")


def test_the_monitoring_mark_puts_the_case_in_the_agriculture_worklist(proc, users, clock):
    proc.to_decision()
    proc.decide()
    assert proc.data["records"]["decisions"][0]["monitoring_marked"]  # rural, no income
    clock.advance(5)
    proc.fire("township_clerk", "close_notice")
    rows = proc.ok(proc.api["county_agri"].get("/cases", {"monitoring": "true"}))["items"]
    assert [r["id"] for r in rows] == [proc.case_id]
    proc.post("county_civil", "/county-filing", {"version": proc.version})
    inbox = proc.ok(proc.api["county_agri"].get("/inbox"))["items"]
    assert any("防返贫监测" in i["title"] for i in inbox)


def test_a_case_moves_only_through_the_services(proc):
    proc.accept()
    case = Case.objects.get(pk=proc.case_id)
    with pytest.raises(Exception):  # noqa: B017 — the unique open case per household holds
        Case.objects.create(reference="X", household=case.household, accepted_on=case.accepted_on)
    assert services.transition_case  # the one door for record-less moves
