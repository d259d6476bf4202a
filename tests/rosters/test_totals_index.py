"""The roster's totals (households, people and monthly amount per category over a whole township
or county) are read from one index of the entitlement rows, without visiting the rows: a province's
township has thousands of rows in force, and a county tens of thousands (docs/scale.md)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safetynet.accounts.roles import Role
from safetynet.entitlements.models import Entitlement
from safetynet.registry.models import Area
from safetynet.rosters import selectors
from safetynet.rosters.query import RosterQuery
from tests.conftest import CHANGNING

TABLE = Entitlement._meta.db_table


def _index_columns(name: str) -> set[str]:
    (index,) = [i for i in Entitlement._meta.indexes if i.name == name]
    return {Entitlement._meta.get_field(f).column for f in (*index.fields, *index.include)}


def _columns_read(sql: str) -> set[str]:
    return set(re.findall(rf'"{TABLE}"\."(\w+)"', sql))


def test_the_totals_read_only_columns_the_village_index_holds(roster, make_user, today):
    user = make_user(Role.COUNTY_CIVIL, "141029")
    for q in (
        RosterQuery(day=today),
        RosterQuery(day=today, category="dibao"),
        RosterQuery(day=today, township=Area.objects.get(code=CHANGNING), category="tekun"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            totals = selectors.summary(user, q)
        (sql,) = [s["sql"] for s in ctx.captured_queries if TABLE in s["sql"]]
        read = _columns_read(sql)
        assert {"village_id", "category", "valid_from", "valid_until", "people"} <= read
        assert read <= _index_columns("entitlement_village"), read - _index_columns("entitlement_village")
        assert totals["households"] == sum(r["households"] for r in totals["by_category"])
