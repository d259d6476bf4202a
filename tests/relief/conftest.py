"""Relief fixtures: the users of the relief chain, a funded township, a relief applied for."""

from __future__ import annotations

import pytest

from safetynet.accounts.roles import Role
from safetynet.relief import services as relief
from tests.browser.conftest import flushable_audit_trail  # noqa: F401  (transactional tests flush the trail)
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_C


class People:
    def __init__(self, make_user):
        self.officer = make_user(Role.VILLAGE_OFFICER, VILLAGE_A, "rl_officer")
        self.officer_c = make_user(Role.VILLAGE_OFFICER, VILLAGE_C, "rl_officer_c")
        self.clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING, "rl_clerk")
        self.clerk_gh = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "rl_clerk_gh")
        self.county = make_user(Role.COUNTY_CIVIL, "141029", "rl_county")
        self.auditor = make_user(Role.AUDITOR, "141029", "rl_auditor")


@pytest.fixture
def people(make_user):
    return People(make_user)


@pytest.fixture
def funded(people):
    def fund(amount="5000", township=CHANGNING):
        return relief.allocate_reserve(
            user=people.county, township=township, amount=amount, note="2026年备用金"
        )

    return fund


@pytest.fixture
def emergency(people, make_household, today):
    def make(amount="1500", user=None, household=None):
        household = household or make_household(VILLAGE_A)
        return relief.apply_relief(
            user=user or people.officer,
            household_id=household.pk,
            kind="emergency",
            reason="家中失火，衣物被褥烧毁",
            amount_asked=amount,
        )

    return make
