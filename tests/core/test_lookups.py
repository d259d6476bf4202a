"""`core.lookups.AnyOf`: the rows of `__in`, with the list sent as one array on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from safetynet.core.lookups import AnyOf
from safetynet.registry.models import Area


@pytest.mark.django_db
@pytest.mark.parametrize("size", [0, 1, 3, 2_000])
def test_any_of_finds_the_rows_in_finds_whatever_the_lists_length(county, size):
    pks = sorted(Area.objects.values_list("pk", flat=True))
    assert len(pks) > 3
    wanted = [*range(-size, 0)] + pks[1:3] if size else []  # ids no row has, and two that exist
    found = list(Area.objects.filter(AnyOf(F("pk"), wanted)).order_by("pk").values_list("pk", flat=True))
    assert found == list(Area.objects.filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True))
    assert found == (pks[1:3] if size else [])
    # and under a count, beside other conditions, and excluded
    in_county = Area.objects.filter(pk__in=wanted, code__startswith=county.code).count()
    assert Area.objects.filter(AnyOf(F("pk"), wanted), code__startswith=county.code).count() == in_county
    assert Area.objects.exclude(AnyOf(F("pk"), wanted)).count() == len(pks) - len(found)


@pytest.mark.django_db
def test_any_of_is_one_statement_whatever_the_lists_length(county):
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    for n in (5, 50, 500):
        with connection.execute_wrapper(record):
            list(Area.objects.filter(AnyOf(F("pk"), list(range(n)))))
    if connection.vendor == "postgresql":
        (statement,) = {sql for sql, _ in sent}  # one text: the list is one array parameter
        assert '"registry_area"."id" = ANY(%s::bigint[])' in statement
        assert [n for _, n in sent] == [1, 1, 1]
    else:
        assert [n for _, n in sent] == [5, 50, 500]  # `IN (…)` elsewhere
