"""Verification fixtures: a liaison per source, file builders, a small register with recipients."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as entitlements
from safetynet.verification import services
from tests.conftest import VILLAGE_A, VILLAGE_B, member, new_id

AS_OF = "2026-05-01"


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    """Exchange files live outside the database: each test gets its own data directory."""
    settings.DATA_DIR = tmp_path


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, "141029", "exchange_admin")


@pytest.fixture
def liaison(make_user):
    """医保 liaison, allowed to upload 医保 only."""
    user = make_user(Role.DEPT_LIAISON, "141029", "dept_yibao")
    services.assign_liaison_source(actor=SYSTEM, user=user, source="medical")
    return user


def csv_bytes(header: list[str], rows: list[list], encoding: str = "utf-8") -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


class NamedBytes(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def upload(user, source, data: bytes, name="f.csv", **kw):
    return services.upload_department_file(
        user=user, source=source, file=NamedBytes(data, name), filename=name, **kw
    )


FIN_HEADER = ["id_number", "name", "institution", "kind", "balance", "as_of"]


def fin_rows(ids, balance="1000.00"):
    return [[i, "张三", "乡宁农商银行", "deposit", balance, AS_OF] for i in ids]


def set_recipient(household, category="dibao"):
    """File an entitlement that makes the household a recipient from 2026-04-01 (the comparison
    reads the filed timeline, never an engine assessment)."""
    return entitlements.open_row(
        household=household,
        valid_from=dt.date(2026, 4, 1),
        terms=entitlements.Terms(category=category, benefit_monthly=Decimal("400")),
        basis="admission",
        decided_on=dt.date(2026, 3, 20),
        actor=SYSTEM,
    )


@pytest.fixture
def small_register(make_household):
    """Household r (recipient, 2 members, village A), household n (not assisted, village B)."""
    r_head, r_spouse, n_head = (
        new_id(dt.date(1960, 3, 4)),
        new_id(dt.date(1962, 8, 9)),
        new_id(dt.date(1975, 1, 2)),
    )
    r = make_household(
        VILLAGE_A,
        members=[
            member("head", name="王建国", id_number=r_head),
            member("spouse", name="李秀英", id_number=r_spouse),
        ],
    )
    type(r).objects.filter(pk=r.pk).update(
        financial_assets=Decimal("2000")
    )  # declared facts, as a clerk records them
    r.refresh_from_db()
    n = make_household(VILLAGE_B, members=[member("head", name="赵明", id_number=n_head)])
    set_recipient(r)
    return {"r": r, "n": n, "r_head": r_head, "r_spouse": r_spouse, "n_head": n_head}
