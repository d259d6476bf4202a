"""A household that qualifies for no category but carries the 防返贫监测 mark is decided and archived
as a monitoring object, without a public notice (nothing is paid)."""

import datetime as dt

import pytest

from safetynet.entitlements.models import Entitlement
from tests.cases.conftest import Proc
from tests.conftest import VILLAGE_A, member


@pytest.fixture
def sudden_hardship(make_household):
    # 20,000 a year: above the rural edge line and last year's disposable income, so no category;
    # but a serious illness with 18,000 of self-paid medical costs: 突发严重困难户.
    h = make_household(
        VILLAGE_A, members=[member("head", name="孙大成", birth=dt.date(1976, 4, 4), income_wage_12m="20000")]
    )
    h.rigid_medical_12m, h.risk_events = 18000, ["illness"]
    h.save(update_fields=["rigid_medical_12m", "risk_events"])
    return h


def test_monitoring_only_household_is_confirmed_and_archived_with_its_mark(users, sudden_hardship, clock):
    proc = Proc(users, sudden_hardship, clock)
    proc.to_decision()
    proposal = proc.data["records"].get("proposal") or {}
    proc.decide()
    decision = proc.data["records"]["decisions"][0]
    assert decision["category"] == "none" and decision["monitoring_marked"], (proposal, decision)
    assert decision["monitoring_type"] == "sudden_hardship" and not decision["publishes"]
    assert proc.data["state"] == "county_filing"
    proc.post("county_civil", "/county-filing", {"version": proc.version, "note": "同意"})
    status = Entitlement.objects.get(household=sudden_hardship, valid_until__isnull=True)
    assert status.monitoring_marked and status.monitoring_type == "sudden_hardship"
