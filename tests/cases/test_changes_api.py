"""Change, review and stop cases end to end through the API: the same procedure, no village
review, a letter and an SMS for every change, and the entitlement timeline changed by the county
filing from the month after the decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safetynet.audit.services import SYSTEM
from safetynet.cases.models import Letter, Message
from safetynet.entitlements import selectors as ent_selectors
from safetynet.entitlements import services as ent
from safetynet.entitlements.models import Entitlement
from safetynet.registry import services as registry_services
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db
D = dt.date


class Dyn:
    def __init__(self, users, household, clock):
        self.u, self.household, self.clock = users, household, clock
        self.api = {role: ApiClient(user) for role, user in users.items()}

    def ok(self, response, status=200):
        assert response.status_code == status, response.content.decode()
        return response.json()

    def accept(self, kind="", status=201):
        body = {"household_id": self.household.pk, "summary": "家庭变化", "kind": kind}
        self.data = self.ok(self.api["township_clerk"].post("/cases", body), status)
        self.case_id = self.data["id"]
        return self.data

    def post(self, role, path, body, status=200):
        r = self.api[role].post(f"/cases/{self.case_id}{path}", body)
        if status != 200:
            assert r.status_code == status, r.content.decode()
            return r.json()
        self.data = self.ok(r)
        return self.data

    def fire(self, role, name, reason=""):
        return self.post(role, f"/transitions/{name}", {"version": self.data["version"], "reason": reason})

    def to_decision(self, kind=""):
        self.accept(kind)
        self.fire("village_officer", "start_reverification", "复核")
        members = self.household.memberships.filter(left_on__isnull=True, counted=True)
        results = [
            {"person_id": m.person_id, "outcome": "consistent", "sources": {"hukou": {"ok": True}}}
            for m in members
        ]
        self.post(
            "township_clerk", "/verification-results", {"version": self.data["version"], "results": results}
        )
        self.fire("township_clerk", "complete_reverification")
        assert self.data["state"] == "township_decision"
        return self.data

    def decide(self, action, reason="", status=200, **extra):
        body = {"version": self.data["version"], "action": action, "reason": reason, **extra}
        return self.post("review_member", "/change-decision", body, status)

    def file(self):
        return self.post("county_civil", "/county-filing", {"version": self.data["version"], "note": "同意"})


@pytest.fixture
def recipient(clock, poor_household, users):
    """The 低保 household (two members, no income), entitled from 2026-02-01 at the amount the
    engine gives it, so that a review with nothing changed confirms it."""
    from safetynet.assessments.services import assess_household

    poor_household.memberships.update(joined_on=D(2020, 1, 1))  # registered long before

    a = assess_household(user=users["admin"], household_id=poor_household.pk, on=D(2026, 6, 1))
    ent.open_row(
        household=poor_household,
        valid_from=D(2026, 2, 1),
        terms=ent.Terms(category=a.category, benefit_monthly=a.benefit_monthly),
        basis="admission",
        decided_on=D(2026, 1, 20),
        actor=SYSTEM,
    )
    return poor_household


@pytest.fixture
def dyn(users, recipient, clock):
    return Dyn(users, recipient, clock)


def test_a_death_in_a_dibao_household_changes_the_amount_with_a_letter(
    dyn, recipient, users, django_capture_on_commit_callbacks
):
    before = ent_selectors.entitlement_on(recipient, D(2026, 6, 1))
    spouse = recipient.memberships.get(relation="spouse")
    registry_services.end_membership(
        user=users["admin"], household=recipient, membership=spouse, left_on=D(2026, 5, 20), reason="死亡"
    )
    with django_capture_on_commit_callbacks(execute=True):
        data = dyn.to_decision()
        assert data["kind"] == "review"  # a recipient's case is never a new application
        assert "village_review_passed" not in data["allowed_transitions"]
        dyn.decide("confirm", status=400)  # the result changed: confirming is refused
        data = dyn.decide("change")
    assert data["state"] == "county_filing"
    decision = data["records"]["change_decisions"][0]
    assert decision["outcome"] == "change" and decision["effective_from"] == "2026-07-01"
    assert Decimal(decision["terms"]["benefit_monthly"]) < before.benefit_monthly
    letter = Letter.objects.get(case_id=dyn.case_id)
    assert letter.kind == "change" and "2026年07月" in letter.text and "低保" in letter.text
    assert Message.objects.filter(case_id=dyn.case_id, kind="change", status="sent").count() == 1
    data = dyn.file()
    assert data["state"] == "archived"
    after = ent_selectors.entitlement_on(recipient, D(2026, 7, 1))
    assert after.basis == "review" and after.benefit_monthly == Decimal(decision["terms"]["benefit_monthly"])
    assert ent_selectors.entitlement_on(recipient, D(2026, 6, 30)) == before
    assert [m.person_id for m in after.members.all()] == [recipient.head_id]


def test_an_unchanged_review_is_confirmed_in_one_step(dyn, recipient):
    dyn.to_decision("review")
    data = dyn.decide("confirm")
    assert data["state"] == "archived"
    rows = list(Entitlement.objects.filter(household=recipient).order_by("valid_from"))
    assert [(r.valid_from, r.basis) for r in rows] == [
        (D(2026, 2, 1), "admission"),
        (D(2026, 7, 1), "review"),
    ]
    assert rows[1].benefit_monthly == rows[0].benefit_monthly
    assert rows[1].review_due == D(2027, 7, 1)
    assert Letter.objects.get(case_id=dyn.case_id).kind == "review"


def test_a_stop_needs_a_reason_waits_for_the_objection_period_then_ends_the_row(dyn, recipient, clock):
    dyn.to_decision("stop")
    err = dyn.decide("stop", status=400)
    assert err["field"] == "reason"
    data = dyn.decide("stop", reason="家庭成员已外出务工，收入超过低保标准")
    assert data["state"] == "stop_notice"
    ends = data["records"]["change_decisions"][0]["stop_notice_ends"]
    assert ends == "2026-06-06"  # procedure.stop_objection_days = 5
    err = dyn.post(
        "review_member", "/transitions/close_stop_notice", {"version": data["version"]}, status=400
    )
    assert err["code"] == "stop_notice_too_short"
    clock.advance(5)
    dyn.fire("review_member", "close_stop_notice")
    dyn.file()
    row = Entitlement.objects.get(household=recipient)
    assert (row.valid_until, row.end_basis) == (D(2026, 7, 1), "stop")
    assert Letter.objects.get(case_id=dyn.case_id).kind == "stop"


def test_an_objection_to_a_stop_sends_it_back_to_the_township(dyn):
    dyn.to_decision()
    data = dyn.decide("stop", reason="收入超标")
    data = dyn.post(
        "review_member", "/stop-objection", {"version": data["version"], "content": "收入为一次性补偿"}
    )
    assert data["state"] == "township_decision"
    assert data["records"]["change_decisions"][0]["active"] is False
    assert dyn.decide("confirm")["state"] == "archived"


def test_a_dibao_family_whose_income_rose_exits_gradually(dyn, recipient, users, clock):
    # The register now shows wage income well above the 低保 line (set directly: the test is about the stop).
    type(recipient.head).objects.filter(pk=recipient.head_id).update(income_wage_12m=Decimal("30000"))
    dyn.to_decision()
    dyn.decide("stop", reason="家庭人均收入超过低保标准")
    clock.advance(5)
    dyn.fire("review_member", "close_stop_notice")
    dyn.file()
    last = Entitlement.objects.filter(household=recipient).order_by("-valid_from").first()
    assert (last.basis, last.valid_from, last.valid_until) == ("gradual_exit", D(2026, 7, 1), D(2027, 1, 1))
    assert ent_selectors.entitlement_on(recipient, D(2027, 1, 1)) is None


def test_a_monitored_household_is_not_exited_inside_the_transition_period(make_household, users, clock):
    from tests.conftest import VILLAGE_A, member

    h = make_household(VILLAGE_A, members=[member("head", name="孙监测", birth=D(1980, 1, 1))])
    ent.open_row(
        household=h,
        valid_from=D(2025, 3, 1),
        terms=ent.Terms(category="none", monitoring_marked=True, monitoring_type="edge_prone"),
        basis="admission",
        decided_on=D(2025, 2, 20),
        actor=SYSTEM,
    )
    clock.set(D(2025, 9, 1))  # inside the transition period (monitoring.transition_end 2025-12-31)
    d = Dyn(users, h, clock)
    d.to_decision()
    err = d.decide("stop", reason="收入稳定", status=400)
    assert err["code"] == "monitoring_exit_in_transition"
    assert Entitlement.objects.get(household=h).valid_until is None


def test_change_kinds_need_an_entitlement_in_force(users, poor_household, clock):
    d = Dyn(users, poor_household, clock)
    err = d.ok(
        d.api["township_clerk"].post("/cases", {"household_id": poor_household.pk, "kind": "stop"}), 400
    )
    assert err["field"] == "kind"
    assert d.accept()["kind"] == "application"
