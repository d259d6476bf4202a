"""The secondary indexes a province load sets aside (demo/set_aside.py) are built again as they
were, whether the load ends or fails; the indexes rows are checked against stay throughout."""

from __future__ import annotations

import pytest
from django.db import connection

from safetynet.demo.province_rows import PER_HOUSEHOLD
from safetynet.demo.set_aside import indexes_built_after, secondary_indexes

pytestmark = pytest.mark.django_db


def _all_indexes() -> dict[str, dict]:
    with connection.cursor() as cur:
        return {
            name: c
            for m in PER_HOUSEHOLD
            for name, c in connection.introspection.get_constraints(cur, m._meta.db_table).items()
            if not c["foreign_key"] and not c["check"]  # indexes, and the constraints that have one
        }


def test_on_postgresql_the_secondary_indexes_are_away_during_the_block_and_the_same_after_it():
    before = _all_indexes()
    with indexes_built_after(PER_HOUSEHOLD) as aside:
        during = _all_indexes()
    if connection.vendor != "postgresql":
        assert aside == [] and during == before  # SQLite: nothing set aside
        return
    names = {name for name, _ in aside}
    assert {"registry_person_name_trgm", "registry_household_address_trgm"} <= names
    assert set(during) == set(before) - names
    kept = {name for name, c in before.items() if c["unique"] or c["primary_key"] or not c["index"]}
    assert kept <= set(during)  # unique, primary and constraint indexes check the rows as they come
    assert "entitlement_no_overlap" in during
    assert _all_indexes() == before
    assert secondary_indexes(PER_HOUSEHOLD) == aside


def test_a_failed_load_still_gets_its_indexes_back():
    before = _all_indexes()
    with pytest.raises(RuntimeError), indexes_built_after(PER_HOUSEHOLD):
        raise RuntimeError("a chunk failed")
    assert _all_indexes() == before
