"""Every foreign key has an index that leads with its column: its own, or one of several columns
(`core.migration_operations.without_own_index`). A query by the key, and the database's check of
the rows that point at a row being deleted, then read an index, not the table."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

# On SQLite only: a membership's village is indexed on PostgreSQL alone (registry 0011, 0013), for
# a province's search; a county's register on SQLite is small.
SQLITE_UNINDEXED = {"registry_membership.village_id"}


def _leading_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        c["columns"][0]
        for c in constraints.values()
        if (c["index"] or c["unique"] or c["primary_key"]) and c["columns"] and not c.get("foreign_key")
    }


def test_every_foreign_key_column_leads_an_index():
    missing = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        keys = [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]
        if not keys:
            continue
        leading = _leading_columns(model._meta.db_table)
        missing += [f"{model._meta.db_table}.{f.column}" for f in keys if f.column not in leading]
    allowed = SQLITE_UNINDEXED if connection.vendor == "sqlite" else set()
    assert set(missing) == allowed
