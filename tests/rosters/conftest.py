from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from tests.conftest import VILLAGE_A, VILLAGE_C, member

D = dt.date


def open_row(household, start, category="dibao", amount="600", *, members=(), **terms):
    return ent.open_row(
        household=household,
        valid_from=start,
        terms=ent.Terms(category=category, benefit_monthly=Decimal(amount), members=tuple(members), **terms),
        basis="admission",
        decided_on=start,
        actor=SYSTEM,
    )


@pytest.fixture
def roster(make_household, today):
    """VILLAGE_A (长宁): 王建国's 低保 household of two, 600 a month from January 2026 and 450 from
    May; 赵大, a monitored 边缘易致贫户 with no allowance. VILLAGE_C (光华): 刘一, 特困 with an
    individual part of 1200."""
    wang = make_household(VILLAGE_A, members=[member("head", name="王建国"), member("spouse", name="李芳")])
    open_row(wang, D(2026, 1, 1), amount="600")
    open_row(wang, D(2026, 5, 1), amount="450")
    zhao = make_household(VILLAGE_A, members=[member("head", name="赵大")])
    open_row(
        zhao, D(2026, 2, 1), "other_low_income", "0", monitoring_marked=True, monitoring_type="edge_prone"
    )
    liu = make_household(VILLAGE_C, members=[member("head", name="刘一")])
    person = liu.memberships.get().person
    open_row(
        liu,
        D(2026, 3, 1),
        "tekun",
        "1200",
        members=[
            ent.MemberPart(
                person_id=person.pk, category="tekun", care_tier="partial", benefit_monthly=Decimal("1200")
            )
        ],
    )
    return {"wang": wang, "zhao": zhao, "liu": liu}


@pytest.fixture
def client_for():
    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make
