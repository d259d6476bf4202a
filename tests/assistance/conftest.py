"""Assistance fixtures: a 低保 household of three (an unemployed head, a student, a grandmother
with a grade-1 disability) entitled since 2026-01-01, the 医保 and 教育 liaisons, a fixed day."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from safetynet.verification import services as exchange
from tests.conftest import VILLAGE_A, member, of

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def day(today):
    return today


@pytest.fixture
def poor(make_household, day):
    hh = make_household(
        VILLAGE_A,
        members=[
            member("head", name="赵铁柱", birth=dt.date(1980, 3, 2)),
            member("child", name="赵小雨", birth=dt.date(2010, 9, 1), fulltime_education=True),
            member("parent", name="钱桂兰", birth=dt.date(1950, 1, 5), disability_grade=1,
                   disability_kind="physical", labour_capacity="none"),
        ],
    )  # fmt: skip
    entitle(hh)
    return hh


def entitle(hh, category: str = "dibao"):
    """A row of `category` in force from 2026-01-01 naming every current member."""
    parts = tuple(
        ent.MemberPart(person_id=m.person_id, category=category)
        for m in hh.memberships.filter(left_on__isnull=True)
    )
    return ent.open_row(
        household=hh,
        valid_from=dt.date(2026, 1, 1),
        terms=ent.Terms(category=category, benefit_monthly=Decimal("900"), members=parts),
        basis="admission",
        decided_on=dt.date(2025, 12, 20),
        actor=SYSTEM,
    )


def person(hh, name):
    return of(hh, name).person


def liaison_for(make_user, source: str, username: str):
    user = make_user(Role.DEPT_LIAISON, "141029", username)
    exchange.assign_liaison_source(actor=SYSTEM, user=user, source=source)
    return user


@pytest.fixture
def yibao(make_user):
    return liaison_for(make_user, "medical", "dept_yibao")


@pytest.fixture
def jiaoyu(make_user):
    return liaison_for(make_user, "education", "dept_jiaoyu")


class NamedBytes(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)
