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
from tests.cases.conftest import Dyn

pytestmark = pytest.mark.django_db
D = dt.date


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


def test_two_open_changes_on_one_household_are_refused(dyn, recipient):
    dyn.accept("change")
    r = dyn.api["township_clerk"].post("/cases", {"household_id": recipient.pk, "kind": "stop"})
    assert r.status_code == 409 and r.json()["code"] == "open_case_exists" and r.json()["field"] == "kind"
    assert recipient.cases.count() == 1
