"""The database backend: on PostgreSQL a page's repeated statements are prepared, and a
statement with more values than the protocol carries still runs (core/postgresql)."""

from __future__ import annotations

import pytest
from django.db import connection

from safetynet.core.postgresql import unprepared
from safetynet.registry.models import Area
from safetynet.registry.selectors import search_households

POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's prepared statements: run with DATABASE_URL=postgres://… (.ci/run does)",
)


@pytest.mark.django_db
def test_a_statement_with_more_values_than_the_protocol_carries_runs(county):
    # 70,000 ids, over the 65,535 a bound statement holds: bound client-side on PostgreSQL.
    ids = [*range(-70_000, 0), county.pk]
    assert Area.objects.filter(pk__in=ids).count() == 1
    assert list(Area.objects.filter(pk__in=ids).values_list("code", flat=True)) == [county.code]


@pytest.mark.django_db
def test_a_long_list_in_an_iterator_runs(county):
    ids = [*range(-70_000, 0), county.pk]
    assert [a.code for a in Area.objects.filter(pk__in=ids).iterator(chunk_size=10)] == [county.code]


@POSTGRESQL
@pytest.mark.django_db
def test_a_repeated_statement_is_prepared(county):
    def prepared() -> set[str]:
        with connection.cursor() as cur:
            cur.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cur.fetchall()}

    for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1):
        assert Area.objects.filter(code=county.code).get().pk == county.pk
    assert any('"registry_area"."code" = $1' in s for s in prepared())


@POSTGRESQL
@pytest.mark.django_db
def test_values_are_bound_apart_from_the_sql(county):
    # A value that would break a statement if it were pasted in unquoted.
    name = "O'Brien; DROP TABLE registry_area; --"
    assert not Area.objects.filter(name=name).exists()
    with connection.cursor() as cur:
        cur.execute("SELECT %s::text, %s::int", [name, 3])
        assert cur.fetchone() == (name, 3)


def _prepared() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cur.fetchall()}


@POSTGRESQL
@pytest.mark.django_db
def test_statements_run_unprepared_are_never_prepared_however_often(county):
    runs = connection.settings_dict["OPTIONS"]["prepare_threshold"] * 3
    with unprepared():
        for _ in range(runs):
            assert Area.objects.filter(name__startswith=county.name[:1]).exists()
    assert not any('"registry_area"."name"::text LIKE $' in s for s in _prepared())
    for _ in range(runs):  # the same statement outside is prepared as any other
        assert Area.objects.filter(name__startswith=county.name[:1]).exists()
    assert any('"registry_area"."name"::text LIKE $' in s for s in _prepared())


@POSTGRESQL
@pytest.mark.django_db
def test_a_households_search_is_planned_for_its_text_every_time(users):
    runs = connection.settings_dict["OPTIONS"]["prepare_threshold"] * 3
    for i in range(runs):
        list(search_households(users["county_civil"], q=["wjl", "w", "zy"][i % 3]))
        list(search_households(users["county_civil"], q=["王", "东关", "王小明"][i % 3]))
    searched = [s for s in _prepared() if "name_initials" in s or '"registry_person"."name"' in s]
    assert not searched, searched
