"""Back pay (补发) for months already paid to others, recovery (追回) of months paid that the
timeline no longer grants, and the database refusing any benefit month paid twice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from safetynet.audit.services import SYSTEM
from safetynet.core.errors import Conflict, ValidationFailed
from safetynet.entitlements import services as ent
from safetynet.payments import services as pay
from safetynet.payments.models import PayrollLine, Receivable
from tests.conftest import VILLAGE_B
from tests.payments.conftest import D, dibao, open_row

pytestmark = pytest.mark.django_db


def key_lines(payroll):
    return list(
        PayrollLine.objects.filter(payroll=payroll)
        .order_by("benefit_key", "benefit_month")
        .values_list("benefit_key", "benefit_month", "kind", "amount")
    )


def test_an_admission_effective_in_paid_months_adds_the_missed_months_as_back_pay(
    recipient, chain, make_household
):
    recipient()
    chain.approve(D(2026, 2, 1))
    chain.approve(D(2026, 3, 1))
    late = make_household(VILLAGE_B)
    open_row(late, D(2026, 2, 1), dibao("450"))  # filed late, effective from February
    chain.account(late.head)
    april = chain.generate(D(2026, 4, 1))
    mine = [r for r in key_lines(april) if r[0] == f"h{late.pk}"]
    assert mine == [
        (f"h{late.pk}", D(2026, 2, 1), "back_pay", Decimal("450.00")),
        (f"h{late.pk}", D(2026, 3, 1), "back_pay", Decimal("450.00")),
        (f"h{late.pk}", D(2026, 4, 1), "regular", Decimal("450.00")),
    ]
    # the other household, paid for February and March, gets April only
    assert sum(1 for r in key_lines(april) if r[0] != f"h{late.pk}") == 1


def test_a_retroactive_stop_records_the_overpaid_months_as_a_receivable_never_netted(recipient, chain):
    h = recipient()
    for m in (2, 3, 4):
        chain.approve(D(2026, m, 1))
    # a death learned late: the row ends on 1 March
    ent.close_current(household=h, on=D(2026, 3, 1), basis="stop", actor=SYSTEM, reason="户主已于2月死亡")
    may = chain.generate(D(2026, 5, 1))
    assert key_lines(may) == []
    rec = Receivable.objects.get(payroll=may)
    assert (rec.household_id, rec.amount, rec.status) == (h.pk, Decimal("1200.00"), "proposed")
    assert [m.benefit_month for m in rec.months.all()] == [D(2026, 3, 1), D(2026, 4, 1)]
    assert "2026年03月、2026年04月" in rec.reason and "停发" in rec.reason
    chain.generate(D(2026, 5, 1))  # again: the proposal is replaced, not doubled
    assert Receivable.objects.count() == 1
    pay.submit_payroll(user=chain.clerk, payroll=may)
    pay.approve_payroll(user=chain.county, payroll=may, acknowledge_flags=True)
    rec = Receivable.objects.get()
    assert rec.status == "open"
    # the lines paid stay as they were: nothing netted
    assert PayrollLine.objects.filter(household=h, committed=True).count() == 3
    # June sees the receivable as booked: no second receivable
    june = chain.generate(D(2026, 6, 1))
    assert Receivable.objects.filter(payroll=june).count() == 0
    with pytest.raises(ValidationFailed) as e:
        pay.record_recovery(
            user=chain.county, receivable=rec, amount="1300", received_on=D(2026, 6, 3), note="退回"
        )
    assert e.value.code == "over_recovery"
    pay.record_recovery(
        user=chain.county, receivable=rec, amount="600", received_on=D(2026, 6, 3), note="现金退回，收据001"
    )
    pay.record_recovery(
        user=chain.county, receivable=rec, amount="600.00", received_on=D(2026, 6, 9), note="收据002"
    )
    rec.refresh_from_db()
    assert (rec.recovered, rec.status) == (Decimal("1200.00"), "recovered")


def test_a_retroactive_raise_pays_the_difference_as_an_adjustment(recipient, chain):
    h = recipient()
    chain.approve(D(2026, 2, 1))
    chain.approve(D(2026, 3, 1))
    open_row(h, D(2026, 3, 1), dibao("700"), basis="change")
    april = chain.generate(D(2026, 4, 1))
    assert key_lines(april) == [
        (f"h{h.pk}", D(2026, 3, 1), "adjustment", Decimal("100.00")),
        (f"h{h.pk}", D(2026, 4, 1), "regular", Decimal("700.00")),
    ]


def test_the_database_refuses_a_benefit_month_committed_twice(recipient, chain):
    recipient()
    p = chain.approve(D(2026, 3, 1))
    line = PayrollLine.objects.get(payroll=p)
    fields = {
        f.attname: getattr(line, f.attname) for f in PayrollLine._meta.concrete_fields if f.name != "id"
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.create(**{**fields, "kind": "back_pay"})
    # a draft line for the same month is allowed (drafts are not payments)...
    PayrollLine.objects.create(**{**fields, "committed": False})
    # ...and so is one adjustment per row and month, but not two
    PayrollLine.objects.create(**{**fields, "kind": "adjustment"})
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.create(**{**fields, "kind": "adjustment"})


def test_a_person_paid_in_two_townships_is_refused_at_the_second_approval(make_household, chain, recipient):
    from tests.conftest import VILLAGE_C

    a = recipient()
    person = a.head
    other = make_household(VILLAGE_C)
    # a row of a 光华镇 household lists the same person with an own amount
    open_row(
        other,
        D(2026, 1, 1),
        dibao("300", [ent.MemberPart(person.pk, "individual_dibao", benefit_monthly=Decimal("300"))]),
    )
    open_row(
        a,
        D(2026, 2, 1),
        dibao("900", [ent.MemberPart(person.pk, "individual_dibao", benefit_monthly=Decimal("300"))]),
        basis="change",
    )
    chain.approve(D(2026, 3, 1))
    gh = chain.generate(D(2026, 3, 1), "141029101")
    # generated after 昌宁镇's approval: the month is booked, so it is not listed again
    assert not PayrollLine.objects.filter(payroll=gh, benefit_key=f"p{person.pk}").exists()
    assert gh.flags.filter(kind="two_households", person=person).exists()


def test_a_stale_draft_repeating_an_approved_payment_is_refused_whole(make_household, chain, recipient):
    from tests.conftest import VILLAGE_C

    a = recipient()
    person = a.head
    other = make_household(VILLAGE_C)
    open_row(
        other,
        D(2026, 1, 1),
        dibao("300", [ent.MemberPart(person.pk, "individual_dibao", benefit_monthly=Decimal("300"))]),
    )
    open_row(
        a,
        D(2026, 2, 1),
        dibao("900", [ent.MemberPart(person.pk, "individual_dibao", benefit_monthly=Decimal("300"))]),
        basis="change",
    )
    gh = chain.generate(D(2026, 3, 1), "141029101")  # both drafts list the person's March
    pay.submit_payroll(user=chain.clerk_gh, payroll=gh)
    chain.approve(D(2026, 3, 1))
    with pytest.raises(Conflict) as e:
        pay.approve_payroll(user=chain.county, payroll=gh, acknowledge_flags=True)
    assert e.value.code == "already_paid" and "2026年03月" in e.value.message
    gh.refresh_from_db()
    assert gh.status == "submitted" and not PayrollLine.objects.filter(payroll=gh, committed=True).exists()
