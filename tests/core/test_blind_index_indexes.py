"""A blind index (an HMAC in hex) is only ever matched whole: one index on it, and on PostgreSQL not
the second, pattern index Django adds for `LIKE 'prefix%'` (migrations registry 0009, cases 0014,
payments 0004)."""

import pytest
from django.db import connection

from safetynet.cases.models import Case, Lead
from safetynet.payments.models import PayeeAccount
from safetynet.registry.models import Person

BLIND_INDEXES = [(Person, "id_index"), (Lead, "subject_id_index"), (PayeeAccount, "account_index")]


def _indexes_on(model, column) -> dict[str, dict]:
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, model._meta.db_table)
    return {n: c for n, c in constraints.items() if c["columns"] == [column] and (c["index"] or c["unique"])}


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "column"), BLIND_INDEXES)
def test_a_blind_index_has_one_index_and_no_pattern_index(model, column):
    indexes = _indexes_on(model, column)
    assert len(indexes) == 1, indexes
    assert not [n for n in indexes if n.endswith("_like")]
    if model is Person:  # an ID number is one person's
        assert next(iter(indexes.values()))["unique"]


@pytest.mark.django_db
def test_a_reference_searched_by_its_beginning_keeps_its_pattern_index():
    """Only blind indexes lose it: a case's reference is searched by its beginning (`startswith`)."""
    names = _indexes_on(Case, "reference")
    if connection.vendor == "postgresql":
        assert [n for n in names if n.endswith("_like")]
    assert names
