"""Registry fixtures: a fixed system date, a family of four registered in 2020, and a recorder of
the `household_changed` signal."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.core import clock as system_clock
from safetynet.registry.services import household_changed
from tests.conftest import VILLAGE_A, member

TODAY = dt.date(2026, 6, 1)
JOINED = dt.date(2020, 1, 1)


@pytest.fixture
def today(monkeypatch) -> dt.date:
    monkeypatch.setattr(system_clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def family(make_household, today):
    """王大山 (head), 李秀英 (spouse), 王小军 (son, 2000), 王小红 (daughter, 2004), all since 2020."""
    return make_household(
        VILLAGE_A,
        members=[
            member("head", name="王大山", birth=dt.date(1968, 3, 2), joined_on=JOINED),
            member("spouse", name="李秀英", birth=dt.date(1970, 8, 9), joined_on=JOINED),
            member("child", name="王小军", birth=dt.date(2000, 4, 5), joined_on=JOINED),
            member("child", name="王小红", birth=dt.date(2004, 9, 1), joined_on=JOINED),
        ],
    )


def of(household, name: str):
    """The current membership of the member called `name`."""
    return household.memberships.select_related("person").get(person__name=name, left_on__isnull=True)


@pytest.fixture
def announced():
    """The `household_changed` signals sent (the test must run the on-commit callbacks)."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    household_changed.connect(receiver)
    yield sent
    household_changed.disconnect(receiver)
