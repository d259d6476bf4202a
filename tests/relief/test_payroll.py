"""Approved relief paid by transfer goes into the township's next payroll, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from safetynet.payments import services as pay
from safetynet.payments.models import PayrollLine
from safetynet.relief import services as relief
from tests.conftest import VILLAGE_A
from tests.payments.conftest import Chain, D

pytestmark = pytest.mark.django_db


def _granted(people, household, amount="1500", first=None):
    app = relief.apply_relief(
        user=people.clerk, household_id=household.pk, kind="emergency", reason="火灾", amount_asked=amount
    )
    if first:
        app = relief.pay_relief_first(user=people.clerk, application=app, amount=first)
    return relief.decide_relief(
        user=people.clerk, application=app, approve=True, amount=amount, pay_method="transfer"
    )


def test_relief_by_transfer_is_one_line_in_the_next_payroll_and_not_paid_again(
    people, funded, make_household, make_user, today
):
    chain = Chain(make_user)
    funded("1000")
    h = make_household(VILLAGE_A)
    chain.account(h.head)
    app = _granted(people, h, "1500", first="400")
    p = chain.generate(D(2026, 6, 1))
    line = PayrollLine.objects.get(payroll=p, benefit_key=f"r{app.pk}")
    assert (line.amount, line.benefit_month, line.entitlement_id, line.payee_id) == (
        Decimal("1100.00"),
        D(2026, 6, 1),
        None,
        h.head_id,
    )
    assert line.funding == "linshi"
    pay.submit_payroll(user=chain.clerk, payroll=p)
    pay.approve_payroll(user=chain.county, payroll=p, acknowledge_flags=True)
    nxt = chain.generate(D(2026, 7, 1))
    assert not PayrollLine.objects.filter(payroll=nxt, benefit_key=f"r{app.pk}").exists()
    assert not nxt.receivables.exists()  # the relief month is not an overpayment


def test_relief_for_a_payee_without_an_account_is_flagged_not_paid(people, make_household, make_user, today):
    chain = Chain(make_user)
    h = make_household(VILLAGE_A)
    app = _granted(people, h, "900")
    p = chain.generate(D(2026, 6, 1))
    assert not PayrollLine.objects.filter(payroll=p, benefit_key=f"r{app.pk}").exists()
    assert p.flags.filter(kind="no_account", household=h).exists()


def test_cash_or_refused_relief_is_not_in_the_payroll(people, make_household, make_user, today):
    chain = Chain(make_user)
    h = make_household(VILLAGE_A)
    chain.account(h.head)
    app = relief.apply_relief(
        user=people.clerk, household_id=h.pk, kind="expenditure", reason="学费", amount_asked="800"
    )
    relief.decide_relief(user=people.clerk, application=app, approve=True, amount="800", pay_method="cash")
    p = chain.generate(D(2026, 6, 1))
    assert not PayrollLine.objects.filter(payroll=p, benefit_key__startswith="r").exists()
