"""A `Statement` writes its queryset's SQL once and binds each call's values into it: the rows are
those the queryset itself gives for the same values, on both databases."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from safetynet.accounts.models import User
from safetynet.core.statements import Statement
from safetynet.registry.models import Area
from safetynet.workdays.models import OfficialDay

pytestmark = pytest.mark.django_db

MARKER = -918_273_645_564_738


def _user_with_area(pk):
    return User.objects.select_related("area").filter(pk=pk)


def test_model_rows_with_their_related_rows_are_the_querysets_own(users):
    statement = Statement(_user_with_area, MARKER)
    for user in (users["township_clerk"], users["village_officer"], users["admin"]):
        [got] = statement(user.pk)
        expected = _user_with_area(user.pk).get()
        assert got == expected and type(got) is User
        assert {f.attname: getattr(got, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
        }
        with CaptureQueriesContext(connection) as ctx:
            area = got.area  # read with the user, as select_related reads it
        assert not ctx.captured_queries
        if expected.area_id is None:
            assert area is None
        else:
            assert (area.pk, area.code, area.name) == (
                expected.area.pk,
                expected.area.code,
                expected.area.name,
            )
        assert not got._state.adding and got._state.db == "default"
    assert statement(MARKER + 1) == []  # no such user


def test_the_sql_is_written_once_and_each_call_is_one_statement(users):
    statement = Statement(_user_with_area, MARKER)
    statement(users["admin"].pk)
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("written again")):
        with CaptureQueriesContext(connection) as ctx:
            assert statement(users["township_clerk"].pk)[0].username == users["township_clerk"].username
            assert statement(users["admin"].pk)[0].username == users["admin"].username
    assert len(ctx.captured_queries) == 2
    assert str(users["township_clerk"].pk) in ctx.captured_queries[0]["sql"]


def test_values_rows_are_converted_as_the_orm_converts_them():
    OfficialDay.objects.create(date=dt.date(2031, 1, 1), kind="holiday", name="元旦", notice="国办发")
    OfficialDay.objects.create(date=dt.date(2031, 2, 8), kind="workday", name="春节调休", notice="国办发")
    days = Statement(lambda kind: OfficialDay.objects.filter(kind=kind).values_list("date", "name"), "\0kind")
    assert days("holiday") == [(dt.date(2031, 1, 1), "元旦")]
    assert days("workday") == [(dt.date(2031, 2, 8), "春节调休")]
    flat = Statement(lambda: OfficialDay.objects.order_by("-date").values_list("date", flat=True))
    assert flat() == [dt.date(2031, 2, 8), dt.date(2031, 1, 1)]
    assert all(type(d) is dt.date for d in flat())


def test_several_markers_each_take_their_own_value(county):
    statement = Statement(
        lambda level, code: Area.objects.filter(level=level, code=code).values_list("name", flat=True),
        "\0level",
        "\0code",
    )
    township = Area.objects.filter(level=Area.Level.TOWNSHIP).first()
    assert statement(Area.Level.TOWNSHIP.value, township.code) == [township.name]
    assert statement(Area.Level.VILLAGE.value, township.code) == []


def test_a_marker_in_a_pattern_takes_plain_letters_and_digits_only(county):
    def codes_under(code):
        return Area.objects.filter(code__startswith=code).order_by("code").values_list("code", flat=True)

    under = Statement(codes_under, "M0code")
    township = Area.objects.filter(level=Area.Level.TOWNSHIP).first()
    assert len(list(codes_under(township.code))) > 1
    assert under(township.code) == list(codes_under(township.code))
    assert under(county.code) == list(codes_under(county.code))
    for wild in ("%", "1410_", "14\\", "1410%", "１４"):  # wildcards, an escape, wide digits
        with pytest.raises(ValueError, match="only ASCII letters and digits"):
            under(wild)
    named = Statement(
        lambda name: Area.objects.filter(name__contains=name).values_list("code", flat=True), "M0n"
    )
    with pytest.raises(ValueError, match="only ASCII letters and digits"):
        named("镇")  # not ASCII: refused, never bound into a pattern


def test_a_marker_that_is_not_in_one_parameter_is_refused_when_the_sql_is_written():
    twice = Statement(
        lambda code: Area.objects.filter(code=code) | Area.objects.filter(parent__code=code), "\0c"
    )
    with pytest.raises(ValueError, match="is not in one parameter"):
        twice("1410")
    unused = Statement(lambda pk: Area.objects.all(), -5)
    with pytest.raises(ValueError, match="is not in one parameter"):
        unused(1)


def test_values_of_another_type_or_number_are_refused(users):
    statement = Statement(_user_with_area, MARKER)
    with pytest.raises(TypeError):
        statement(str(users["admin"].pk))
    with pytest.raises(TypeError):
        statement()
    with pytest.raises(ValueError):
        Statement(lambda a, b: User.objects.filter(pk=a, area_id=b), 1, 1)


def test_the_areas_in_reach_and_the_officers_select_are_the_querysets_own_role_by_role(users, make_user):
    """Read through statements, or (a code with other than letters and digits) through the querysets."""
    from safetynet.accounts.roles import Role
    from safetynet.cases import worklists
    from safetynet.registry import selectors as registry

    make_user(Role.VILLAGE_OFFICER, "141029100202", "officer_b")
    odd = Area.objects.create(code="1410291-0", name="测试镇", level=Area.Level.TOWNSHIP)
    users["odd"] = make_user(Role.TOWNSHIP_CLERK, odd.code, "clerk_odd")
    for role, user in users.items():
        assert registry.area_choices_visible_to(user) == registry.area_choices_of(
            registry.areas_visible_to(user)
        ), role
        assert worklists.officer_choices(user) == list(
            worklists.village_officers_for(user).values_list(*worklists.OFFICER_CHOICE)
        ), role
    assert worklists.officer_choices(users["township_clerk"])  # the fixture's officers are found
    assert [a.code for a in registry.area_choices_visible_to(users["odd"])] == [odd.code]
