"""The entitlement timeline: rows opened and closed only by the services, never overlapping,
answerable for any past day and scoped like every read."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.audit.services import SYSTEM
from safetynet.core.errors import NotFound, ValidationFailed
from safetynet.entitlements import selectors
from safetynet.entitlements import services as ent
from safetynet.entitlements.models import Entitlement
from safetynet.entitlements.schedule import add_months
from tests.conftest import VILLAGE_A, VILLAGE_C, member

pytestmark = pytest.mark.django_db
D = dt.date


def dibao(amount="600", **kw):
    return ent.Terms(category="dibao", benefit_monthly=Decimal(amount), **kw)


def open_(household, start, terms=None, basis="admission", **kw):
    return ent.open_row(
        household=household,
        valid_from=start,
        terms=terms or dibao(),
        basis=basis,
        decided_on=start - dt.timedelta(days=10),
        actor=SYSTEM,
        **kw,
    )


def test_a_change_closes_the_current_row_and_opens_the_next(make_household):
    h = make_household()
    first = open_(h, D(2026, 2, 1))
    second = open_(h, D(2026, 6, 1), dibao("450"), basis="change", reason="家庭成员死亡")
    first.refresh_from_db()
    assert (first.valid_until, first.end_basis) == (D(2026, 6, 1), "change")
    assert second.previous == first and second.valid_until is None
    assert selectors.entitlement_on(h, D(2026, 5, 31)) == first
    assert selectors.entitlement_on(h, D(2026, 6, 1)) == second
    assert selectors.entitlement_on(h, D(2026, 1, 31)) is None
    actions = list(AuditRecord.objects.filter(object_type="entitlement").values_list("action", flat=True))
    assert actions == ["entitlement.open", "entitlement.close", "entitlement.open"]


def test_every_counted_member_is_listed_with_individual_parts_kept(make_household):
    h = make_household(members=[member("head", name="甲"), member("spouse", name="乙")])
    spouse = h.memberships.get(relation="spouse").person
    row = open_(
        h,
        D(2026, 3, 1),
        ent.Terms(
            category="dibao_edge",
            members=(ent.MemberPart(spouse.pk, "individual_dibao", benefit_monthly=Decimal("290")),),
        ),
    )
    parts = {m.person.name: (m.category, m.benefit_monthly) for m in row.members.select_related("person")}
    assert parts == {"甲": ("dibao_edge", Decimal("0.00")), "乙": ("individual_dibao", Decimal("290.00"))}
    assert row.people == 2
    row.refresh_from_db()
    assert row.people == row.members.count() == 2  # stored with the row: the roster sums it


def test_the_migration_fills_the_people_of_rows_written_before_it(make_household):
    from django.apps import apps

    fill = importlib.import_module("safetynet.entitlements.migrations.0006_entitlement_people").fill
    h = make_household(members=[member("head", name="甲"), member("spouse", name="乙"), member("child")])
    row = open_(h, D(2026, 3, 1))
    Entitlement.objects.update(people=0)  # as the column was added
    fill(apps, None)
    row.refresh_from_db()
    assert row.people == row.members.count() == 3


def test_a_change_dated_on_or_before_the_current_row_is_refused(make_household):
    h = make_household()
    open_(h, D(2026, 4, 1))
    for day in (D(2026, 4, 1), D(2026, 3, 1)):
        with pytest.raises(ValidationFailed) as e:
            open_(h, day, basis="change")
        assert e.value.code == "before_current_row" and e.value.field == "valid_from"
    assert Entitlement.objects.filter(household=h).count() == 1


def test_a_stop_needs_a_reason_and_a_row_in_force(make_household):
    h = make_household()
    with pytest.raises(ValidationFailed) as e:
        ent.close_current(household=h, on=D(2026, 5, 1), basis="stop", actor=SYSTEM, reason="收入超标")
    assert e.value.code == "no_current_row"
    row = open_(h, D(2026, 2, 1))
    with pytest.raises(ValidationFailed) as e:
        ent.close_current(household=h, on=D(2026, 5, 1), basis="stop", actor=SYSTEM, reason="  ")
    assert e.value.field == "reason"
    ent.close_current(household=h, on=D(2026, 5, 1), basis="stop", actor=SYSTEM, reason="收入超过低保标准")
    row.refresh_from_db()
    assert (row.valid_until, row.end_basis) == (D(2026, 5, 1), "stop")
    assert selectors.entitlement_on(h, D(2026, 5, 1)) is None


def test_review_due_yearly_half_yearly_for_unstable_dibao_and_rigid_rows_end(make_household):
    retired = make_household(members=[member("head", birth=D(1950, 1, 1), labour_capacity="none")])
    worker = make_household(
        VILLAGE_C, members=[member("head", birth=D(1985, 1, 1), income_wage_12m=Decimal("3000"))]
    )
    rigid = make_household(members=[member("head", birth=D(1985, 2, 2))])
    start = D(2026, 3, 1)
    assert open_(retired, start).review_due == add_months(start, 12)
    assert open_(worker, start).review_due == add_months(start, 6)
    # The same worker household as 边缘: reviewed yearly (the half-year rule is 低保's).
    assert open_(worker, D(2026, 9, 1), ent.Terms(category="dibao_edge"), basis="review").review_due == D(
        2027, 9, 1
    )
    row = open_(rigid, start, ent.Terms(category="rigid_hardship"))
    assert (row.valid_until, row.review_due) == (D(2027, 3, 1), None)
    assert selectors.entitlement_on(rigid, D(2027, 2, 28)) == row
    assert selectors.entitlement_on(rigid, D(2027, 3, 1)) is None


def test_a_renewal_after_a_time_limited_row_is_not_an_overlap(make_household):
    h = make_household()
    first = open_(h, D(2026, 3, 1), ent.Terms(category="rigid_hardship"))
    second = open_(h, D(2027, 3, 1), ent.Terms(category="rigid_hardship"), basis="renewal")
    assert second.previous == first
    first.refresh_from_db()
    assert (first.valid_until, first.end_basis) == (D(2027, 3, 1), "")


def test_add_months_keeps_the_end_of_short_months():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert add_months(D(2026, 12, 1), 12) == D(2027, 12, 1)


def test_the_database_refuses_two_open_rows_and_on_postgresql_any_overlap(make_household):
    h = make_household()
    row = open_(h, D(2026, 2, 1))
    fields = dict(category="dibao", basis="admission", decided_on=D(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(household=h, valid_from=D(2026, 9, 1), **fields)
    Entitlement.objects.filter(pk=row.pk).update(valid_until=D(2026, 8, 1))
    if connection.vendor == "postgresql":  # the exclusion constraint of migration 0002
        with pytest.raises(IntegrityError), transaction.atomic():
            Entitlement.objects.create(
                household=h, valid_from=D(2026, 7, 1), valid_until=D(2026, 12, 1), **fields
            )
    with pytest.raises(IntegrityError), transaction.atomic():  # both: an empty period
        Entitlement.objects.create(household=h, valid_from=D(2026, 9, 1), valid_until=D(2026, 9, 1), **fields)


def test_reads_are_scoped_by_area(make_household, make_user):
    here, there = make_household(VILLAGE_A), make_household(VILLAGE_C)
    for h in (here, there):
        open_(h, D(2026, 2, 1))
    officer = make_user(Role.VILLAGE_OFFICER, VILLAGE_A)
    county = make_user(Role.COUNTY_CIVIL, "141029")
    day = D(2026, 6, 1)
    assert {e.household_id for e in selectors.entitled_on(officer, day)} == {here.pk}
    assert {e.household_id for e in selectors.entitled_on(county, day)} == {here.pk, there.pk}
    assert {e.household_id for e in selectors.entitled_on(county, day, "141029101")} == {there.pk}
    assert selectors.entitled_on(county, D(2026, 1, 1)).count() == 0
    assert [e.valid_from for e in selectors.timeline(officer, here)] == [D(2026, 2, 1)]
    with pytest.raises(NotFound):
        selectors.timeline(officer, there)
    liaison = make_user(Role.DEPT_LIAISON, "141029")
    assert selectors.entitled_on(liaison, day).count() == 0
