"""Verification reports are read through the registry's area scoping."""

from __future__ import annotations

import pytest

from safetynet.accounts.roles import Role
from safetynet.core.errors import NotFound
from safetynet.verification import selectors
from tests.conftest import VILLAGE_C


@pytest.mark.django_db
def test_reports_of_a_household_of_another_township_are_not_found(make_user, make_household):
    clerk = make_user(Role.TOWNSHIP_CLERK, None, "clerk_changning")  # 昌宁镇
    elsewhere = make_household(VILLAGE_C)  # 光华镇
    with pytest.raises(NotFound) as missing:
        selectors.reports_of(clerk, elsewhere)
    assert missing.value.code == "household_not_found"


@pytest.mark.django_db
def test_reports_of_a_household_in_reach_are_listed(make_user, make_household):
    clerk = make_user(Role.TOWNSHIP_CLERK, None, "clerk_changning")
    home = make_household()
    assert list(selectors.reports_of(clerk, home)) == []
