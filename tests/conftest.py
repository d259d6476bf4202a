"""Shared fixtures: the real county tree, two synthetic villages in each of two townships,
one user per role, and households created through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from safetynet.accounts.models import User
from safetynet.accounts.roles import ROLE_AREA_LEVEL, Role
from safetynet.core import clock as system_clock
from safetynet.core.resident_id import make_resident_id
from safetynet.registry import inputs, services
from safetynet.registry.areas import VillageSpec, load_county, load_villages
from safetynet.registry.models import Area

PASSWORD = "correct-horse-battery"
CHANGNING, GUANGHUA = "141029100", "141029101"
VILLAGE_A, VILLAGE_B = "141029100201", "141029100202"  # both in 昌宁镇
VILLAGE_C = "141029101201"  # in 光华镇

_seq = itertools.count(1)


def new_id(birth: dt.date = dt.date(1970, 5, 17), region: str = "141029") -> str:
    return make_resident_id(region, birth, next(_seq) % 1000)


@pytest.fixture
def county(db) -> Area:
    county = load_county("141029")
    load_villages(
        [
            VillageSpec(VILLAGE_A, "东关村", CHANGNING),
            VillageSpec(VILLAGE_B, "西关村", CHANGNING),
            VillageSpec(VILLAGE_C, "光华村", GUANGHUA),
        ]
    )
    return county


# Each role's home area in the fixtures: village officers in village A, township roles in 昌宁镇.
HOME_AREA = {"village": VILLAGE_A, "township": CHANGNING, "county": "141029"}


@pytest.fixture
def make_user(county):
    def make(role: Role | str, area_code: str | None = None, username: str | None = None) -> User:
        role = Role(role)
        code = area_code or HOME_AREA[ROLE_AREA_LEVEL[role]]
        return User.objects.create_user(
            username=username or f"{role.value}_{code}",
            password=PASSWORD,
            role=role.value,
            area=Area.objects.get(code=code),
        )

    return make


@pytest.fixture
def users(make_user) -> dict[str, User]:
    return {r.value: make_user(r) for r in Role}


@pytest.fixture
def clerk(make_user) -> User:
    return make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_changning")


def member(relation: str = "head", *, name: str = "张小明", birth: dt.date = dt.date(1970, 5, 17), **person):
    id_number = person.pop("id_number", None) or new_id(birth)
    membership = {k: person.pop(k) for k in ("co_resident", "not_counted_reason", "joined_on") if k in person}
    return services.MemberInput(
        person=inputs.PersonInput(id_number=id_number, name=name, **person),
        membership=inputs.MembershipInput(relation=relation, **membership),
    )


@pytest.fixture
def make_household(county, make_user):
    admin = make_user(Role.ADMIN, "14", "fixture_admin")  # province-wide: can seed any county

    def make(village: str = VILLAGE_A, members=None, **kw):
        return services.create_household(
            user=admin,
            village_code=village,
            address=kw.pop("address", "东关街1号"),
            hukou=kw.pop("hukou", "rural"),
            members=members or [member()],
            **kw,
        )

    return make


@pytest.fixture
def restore_keys():
    """For tests that rotate the keys: the key file and the keyring as they were before."""
    from django.conf import settings

    ring = settings.KEYRING
    saved = ring.path.read_text()
    yield
    ring.path.write_text(saved)
    settings.KEYRING = ring


# ---- family changes: a fixed system date, a family of four registered in 2020, the signal ------

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

    services.household_changed.connect(receiver)
    yield sent
    services.household_changed.disconnect(receiver)
