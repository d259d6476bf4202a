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


def test_the_bank_confirming_the_line_marks_the_relief_paid_and_a_failure_does_not(
    people, make_household, make_user, today
):
    from safetynet.audit.models import AuditRecord  # noqa: PLC0415
    from safetynet.payments import bank  # noqa: PLC0415
    from safetynet.relief.models import ReliefStatus  # noqa: PLC0415
    from tests.conftest import VILLAGE_B  # noqa: PLC0415
    from tests.payments.test_bank import result_file  # noqa: PLC0415

    chain = Chain(make_user)
    ok_h, failed_h = make_household(VILLAGE_A), make_household(VILLAGE_B)
    chain.account(ok_h.head)
    chain.account(failed_h.head)
    ok, failed = _granted(people, ok_h, "700"), _granted(people, failed_h, "300")
    p = chain.approve(D(2026, 6, 1))
    pay.release_payroll(user=chain.county, payroll=p)
    lines = {
        lk: (lid, a)
        for lid, lk, a in PayrollLine.objects.filter(payroll=p).values_list("id", "benefit_key", "amount")
    }
    (ok_id, ok_amount), (bad_id, bad_amount) = lines[f"r{ok.pk}"], lines[f"r{failed.pk}"]
    data = result_file([(ok_id, ok_amount, True, ""), (bad_id, bad_amount, False, "账户冻结")])
    bank.import_bank_result(user=chain.county, payroll=p, data=data)
    bank.import_bank_result(user=chain.county, payroll=p, data=data)  # the same file again: nothing more
    ok.refresh_from_db()
    failed.refresh_from_db()
    assert (ok.status, ok.paid_on) == (ReliefStatus.PAID, today)
    assert (failed.status, failed.paid_on) == (ReliefStatus.APPROVED, None)
    assert list(AuditRecord.objects.filter(action="relief.paid").values_list("object_id", flat=True)) == [
        str(ok.pk)
    ]
