"""风险消除: a 防返贫监测对象 leaves monitoring only after the transition period, through the whole
procedure (village review and notice), when monitored long enough, with a member able to work,
and when the engine no longer finds the household inside the monitoring range."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.audit.services import SYSTEM
from safetynet.entitlements import selectors
from safetynet.entitlements import services as ent
from safetynet.entitlements.models import Entitlement
from tests.api.conftest import ApiClient
from tests.cases.conftest import Proc
from tests.conftest import VILLAGE_A, member

pytestmark = pytest.mark.django_db
D = dt.date


SINCE = D(2025, 3, 1)


def _monitored(make_household, *, since=SINCE, income="0", **person):
    h = make_household(
        VILLAGE_A,
        members=[member("head", name="冯长生", birth=D(1980, 1, 1), income_wage_12m=income, **person)],
    )
    h.memberships.update(joined_on=D(2020, 1, 1))
    ent.open_row(
        household=h,
        valid_from=since,
        terms=ent.Terms(category="none", monitoring_marked=True, monitoring_type="edge_prone"),
        basis="admission",
        decided_on=since,
        actor=SYSTEM,
    )
    return h


def _accept(users, h, status):
    r = ApiClient(users["township_clerk"]).post("/cases", {"household_id": h.pk, "kind": "risk_closure"})
    assert r.status_code == status, r.content.decode()
    return r.json()


def test_risk_closure_goes_through_review_and_notice_and_ends_monitoring(users, make_household, clock):
    h = _monitored(make_household, income="30000")  # income now well above the monitoring line
    clock.set(D(2026, 6, 1))
    p = Proc(users, h, clock)
    data = p.accept("risk_closure")
    assert data["kind"] == "risk_closure" and "start_investigation" in data["allowed_transitions"]
    p.fire("village_officer", "start_investigation")
    p.investigate(members=[{"membership_id": h.memberships.get().pk, "income_wage_12m": "30000"}], risk=[])
    p.consent()
    p.fire("village_officer", "start_verification")
    p.verify()
    p.fire("township_clerk", "complete_verification")
    p.review()
    p.decide()
    assert p.data["state"] == "notice"  # always published, like an admission
    assert p.data["records"]["notices"][0]["entries"][0]["category"] == "防返贫监测风险消除"
    clock.advance(5)
    p.fire("township_clerk", "close_notice")
    p.post("county_civil", "/county-filing", {"version": p.version})
    assert p.data["state"] == "archived"
    row = Entitlement.objects.get(household=h)
    assert (row.valid_until, row.end_basis) == (D(2026, 7, 1), "risk_closure")
    assert selectors.entitlement_on(h, D(2026, 7, 1)) is None


def test_risk_closure_is_refused_inside_the_transition_too_soon_or_without_work_capacity(
    users, make_household, clock
):
    h = _monitored(make_household)
    clock.set(D(2025, 10, 1))
    assert _accept(users, h, 400)["code"] == "monitoring_exit_in_transition"
    recent = _monitored(make_household, since=D(2026, 3, 1))
    clock.set(D(2026, 6, 1))
    assert _accept(users, recent, 400)["code"] == "risk_not_stable"  # monitoring.risk_closure_months
    frail = _monitored(make_household, labour_capacity="none")
    assert _accept(users, frail, 400)["code"] == "no_work_capacity"
    assert Entitlement.objects.filter(valid_until__isnull=False).count() == 0


def test_a_review_never_drops_the_mark_after_the_transition(users, make_household, clock):
    h = _monitored(make_household, income="30000")
    clock.set(D(2026, 6, 1))
    from tests.cases.conftest import Dyn

    d = Dyn(users, h, clock)
    d.to_decision()
    err = d.decide("stop", reason="收入稳定", status=400)
    assert err["code"] == "monitoring_exit_needs_risk_closure"
