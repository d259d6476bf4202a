"""Campaign fixtures: the cases' movable clock and immediate jobs, and a small county register with
entitlements in force (a 低保 household the engine confirms, a monitored one, an edge one, one in
the other township, and one with nothing in force)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from tests.cases.conftest import _jobs_and_media, clock  # noqa: F401 (fixtures)
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, member

D = dt.date


def entitle(household, category="dibao", amount="0", **terms):
    return ent.open_row(
        household=household,
        valid_from=D(2026, 2, 1),
        terms=ent.Terms(category=category, benefit_monthly=Decimal(str(amount)), **terms),
        basis="admission",
        decided_on=D(2026, 1, 20),
        actor=SYSTEM,
    )


def recipient_of(household, users):
    """Entitled at exactly what the engine gives it, so a review with nothing new confirms it."""
    from safetynet.assessments.services import assess_household

    household.memberships.update(joined_on=D(2020, 1, 1))
    a = assess_household(user=users["admin"], household_id=household.pk, on=D(2026, 6, 1))
    return entitle(household, a.category, a.benefit_monthly)


def poor(make_household, village, name):
    return make_household(
        village,
        members=[
            member("head", name=name, birth=D(1968, 3, 2), phone="13912345678"),
            member("spouse", name=name[0] + "秀英", birth=D(1970, 8, 9)),
        ],
    )


@pytest.fixture
def register(make_household, users, clock):  # noqa: F811
    clock.set(D(2026, 7, 1))  # a Wednesday
    homes = {
        "a1": poor(make_household, VILLAGE_A, "王大山"),
        "a2": poor(make_household, VILLAGE_A, "赵二河"),
        "a3": poor(make_household, VILLAGE_A, "钱三林"),
        "b1": make_household(VILLAGE_B, members=[member("head", name="孙监测", birth=D(1980, 1, 1))]),
        "b2": make_household(VILLAGE_B, members=[member("head", name="周边缘", birth=D(1975, 1, 1))]),
        "c1": poor(make_household, VILLAGE_C, "吴光华"),
        "none": make_household(VILLAGE_A, members=[member("head", name="郑无待遇", birth=D(1990, 1, 1))]),
    }
    for key in ("a1", "a2", "a3", "c1"):
        recipient_of(homes[key], users)
    entitle(homes["b1"], "none", monitoring_marked=True, monitoring_type="edge_prone")
    entitle(homes["b2"], "dibao_edge")
    return homes
