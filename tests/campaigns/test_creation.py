"""The campaign's background run: a review case for every household due (every row in force on the
first day: recipients, monitored and edge households), households with an open case skipped with
the reason, batch verification to the township's decision, idempotent re-runs, a valid audit chain,
and progress per township and village after decisions taken through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.audit.models import AuditRecord
from safetynet.audit.services import verify_chain
from safetynet.campaigns import selectors, services
from safetynet.campaigns.models import Campaign, CampaignCase, CampaignSkip
from safetynet.cases import services as case_services
from safetynet.cases.models import Case, CaseTransition, VerificationResult
from tests.api.conftest import ApiClient
from tests.campaigns.conftest import D
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db


def open_and_run(users, capture, area="141029"):
    with capture(execute=True):  # the background job runs on commit (huey immediate in tests)
        c = services.open_campaign(
            user=users["county_civil"],
            name="2026年度复核",
            area_code=area,
            starts_on=D(2026, 7, 1),
            ends_on=D(2026, 8, 31),
        )
    c.refresh_from_db()
    return c


def test_every_household_due_gets_exactly_one_review_case_and_open_cases_are_skipped(
    register, users, django_capture_on_commit_callbacks, clock
):
    busy, _ = case_services.accept_case(
        user=users["township_clerk"], household=register["a3"], summary="变化"
    )
    c = open_and_run(users, django_capture_on_commit_callbacks)
    assert c.status == "ready"
    due = {register[k].pk for k in ("a1", "a2", "a3", "b1", "b2", "c1")}
    created = set(CampaignCase.objects.filter(campaign=c).values_list("household_id", flat=True))
    assert created == due - {register["a3"].pk}
    skip = CampaignSkip.objects.get(campaign=c)
    assert skip.household_id == register["a3"].pk and skip.open_case == busy and busy.reference in skip.reason
    cases = Case.objects.filter(campaign_link__campaign=c)
    assert {x.kind for x in cases} == {"review"}
    assert len({x.reference for x in cases}) == 5
    assert {x.deadline for x in cases} == {D(2026, 7, 29)}  # 20 working days after 2026-07-01
    assert (c.households_due, c.cases_created, c.skipped) == (6, 5, 1)
    # each case: its acceptance and both steps of the verification, transition rows and audit records
    for case in cases:
        names = list(CaseTransition.objects.filter(case=case).values_list("name", flat=True))
        assert names == ["accept", "start_reverification", "complete_reverification"]
        assert AuditRecord.objects.filter(object_type="case", object_id=str(case.pk)).count() == 4
        assert case.state == "township_decision" and case.version == 3
    assert verify_chain().ok


def test_a_rerun_after_an_interruption_adds_nothing_twice(
    register, users, django_capture_on_commit_callbacks
):
    c = open_and_run(users, django_capture_on_commit_callbacks)
    before = (Case.objects.count(), VerificationResult.objects.count(), AuditRecord.objects.count())
    c.townships.update(status="pending")  # as if the run had stopped before recording its progress
    Campaign.objects.filter(pk=c.pk).update(status="creating")
    services.run_campaign(c.pk)
    after = (Case.objects.count(), VerificationResult.objects.count(), AuditRecord.objects.count())
    assert after[:2] == before[:2]
    assert after[2] == before[2] + 1  # only the run's own record
    assert CampaignCase.objects.filter(campaign=c).count() == 6 and verify_chain().ok


def test_a_township_campaign_covers_that_township_only(register, users, django_capture_on_commit_callbacks):
    c = open_and_run(users, django_capture_on_commit_callbacks, area=GUANGHUA)
    assert list(CampaignCase.objects.filter(campaign=c).values_list("household_id", flat=True)) == [
        register["c1"].pk
    ]


def test_a_household_with_something_new_stays_in_verification(
    register, users, django_capture_on_commit_callbacks
):
    lead, _ = case_services.file_lead(
        user=users["village_officer"],
        channel="grassroots",
        village_code=VILLAGE_A,
        summary="户主外出务工，收入增加",
        household_id=register["a2"].pk,
    )
    c = open_and_run(users, django_capture_on_commit_callbacks)
    case = Case.objects.get(campaign_link__campaign=c, household=register["a2"])
    assert case.state == "verification"
    result = VerificationResult.objects.get(case=case, person=register["a2"].head)
    assert result.outcome == "discrepancy" and lead.reference in result.summary
    assert c.verified == 5  # the other five reached the decision


class Decider:
    def __init__(self, users):
        self.api = {r: ApiClient(u) for r, u in users.items()}

    def decide(self, case, action, reason=""):
        r = self.api["review_member"].post(
            f"/cases/{case.pk}/change-decision", {"version": case.version, "action": action, "reason": reason}
        )
        assert r.status_code == 200, r.content.decode()
        return r.json()


def test_progress_per_township_and_village_after_decisions(
    register, users, django_capture_on_commit_callbacks, clock, make_user
):
    from safetynet.registry import services as registry_services

    c = open_and_run(users, django_capture_on_commit_callbacks)
    case = {k: Case.objects.get(campaign_link__campaign=c, household=register[k]) for k in ("a1", "a2", "a3")}
    spouse = register["a2"].memberships.get(relation="spouse")
    registry_services.end_membership(
        user=users["admin"],
        household=register["a2"],
        membership=spouse,
        left_on=D(2026, 6, 20),
        reason="死亡",
    )
    d = Decider(users)
    with django_capture_on_commit_callbacks(execute=True):
        assert d.decide(case["a1"], "confirm")["state"] == "archived"
        assert d.decide(case["a2"], "change")["state"] == "county_filing"
        assert d.decide(case["a3"], "stop", "家庭收入超过低保标准")["state"] == "stop_notice"
    p = selectors.progress(users["county_civil"], c, today=clock.day)
    by = {r.code: r.figures for r in p["rows"]}
    assert by[CHANGNING] == {
        "due": 5,
        "cases": 5,
        "skipped": 0,
        "verified": 5,
        "unchanged": 1,
        "changed": 1,
        "stopped": 1,
        "overdue": 0,
    }
    assert by[GUANGHUA]["due"] == 1 and p["total"]["due"] == 6
    villages = {
        r.code: r.figures
        for r in selectors.progress(users["county_civil"], c, today=clock.day, township=CHANGNING)["rows"]
    }
    assert villages[VILLAGE_A]["unchanged"] == 1 and villages[VILLAGE_B]["due"] == 2
    # after the deadline every case still open is overdue (the confirmed one is archived)
    p = selectors.progress(users["county_civil"], c, today=dt.date(2026, 7, 30))
    assert p["total"]["overdue"] == 5
    # a township clerk sees their township's figures only, through the API too
    data = ApiClient(users["township_clerk"]).get(f"/review-campaigns/{c.pk}").json()
    assert [r["code"] for r in data["rows"]] == [CHANGNING] and data["total"]["stopped"] == 1
    other = make_user("township_clerk", GUANGHUA, "clerk_guanghua")
    data = ApiClient(other).get(f"/review-campaigns/{c.pk}").json()
    assert [r["code"] for r in data["rows"]] == [GUANGHUA] and data["total"]["due"] == 1
    data = ApiClient(users["county_civil"]).get(f"/review-campaigns/{c.pk}", {"township": CHANGNING}).json()
    assert data["level"] == "village" and {r["code"] for r in data["rows"]} == {VILLAGE_A, VILLAGE_B}
    r = ApiClient(users["county_civil"]).get(f"/review-campaigns/{c.pk}", {"township": "1"})
    assert r.status_code == 400 and r.json()["field"] == "township"
