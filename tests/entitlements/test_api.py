"""The timeline through the API: a household's rows with masked names, who was entitled on a day,
both scoped by area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from tests.api.conftest import ApiClient
from tests.conftest import VILLAGE_A, VILLAGE_C, member

pytestmark = pytest.mark.django_db
D = dt.date


def _open(h, start, category="dibao", amount="600"):
    return ent.open_row(
        household=h,
        valid_from=start,
        terms=ent.Terms(category=category, benefit_monthly=Decimal(amount)),
        basis="admission",
        decided_on=start,
        actor=SYSTEM,
    )


def test_household_timeline_and_entitled_on_a_day(make_household, make_user):
    here = make_household(VILLAGE_A, members=[member("head", name="王建国")])
    there = make_household(VILLAGE_C)
    _open(here, D(2026, 2, 1))
    _open(here, D(2026, 7, 1), amount="450")
    _open(there, D(2026, 3, 1), "tekun", "1200")
    officer = ApiClient(make_user(Role.VILLAGE_OFFICER, VILLAGE_A))
    body = officer.get(f"/households/{here.pk}/entitlements").json()
    assert [(r["valid_from"], r["valid_until"], r["benefit_monthly"]) for r in body["items"]] == [
        ("2026-02-01", "2026-07-01", "600.00"),
        ("2026-07-01", None, "450.00"),
    ]
    assert body["items"][0]["members"][0]["name"] == "王*国"
    assert officer.get(f"/households/{there.pk}/entitlements").status_code == 404

    county = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    on_june = county.get("/entitlements", {"on": "2026-06-15"}).json()
    assert on_june["count"] == 2
    assert {(r["household_id"], r["benefit_monthly"]) for r in on_june["items"]} == {
        (here.pk, "600.00"),
        (there.pk, "1200.00"),
    }
    assert county.get("/entitlements", {"on": "2026-02-15"}).json()["count"] == 1
    assert county.get("/entitlements", {"on": "2026-06-15", "category": "tekun"}).json()["count"] == 1
    assert officer.get("/entitlements", {"on": "2026-06-15"}).json()["count"] == 1
    bad = county.get("/entitlements", {"on": "2026-13-01"})
    assert bad.status_code in (400, 422)
    assert "on" in bad.content.decode()
