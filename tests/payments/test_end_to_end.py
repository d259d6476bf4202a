"""From the entitlement timeline to the money: three months of one township, with a late admission
paid back, a death learned late recovered, a failed payment reissued, each month reconciled."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from safetynet.audit.services import SYSTEM, verify_chain
from safetynet.entitlements import services as ent
from safetynet.payments import bank, selectors
from safetynet.payments import services as pay
from safetynet.payments.models import PayrollLine, Receivable
from tests.conftest import VILLAGE_B
from tests.payments.conftest import D, card_number, dibao, open_row
from tests.payments.test_bank import BANK, result_file

pytestmark = pytest.mark.django_db


def run_month(chain, month, *, fail=(), override=""):
    """Generate, submit, approve, release, write the bank file, import the bank's result (the
    lines of the households in `fail` failed)."""
    p = chain.generate(month)
    pay.submit_payroll(user=chain.clerk, payroll=p)
    pay.approve_payroll(user=chain.county, payroll=p, acknowledge_flags=True)
    pay.release_payroll(user=chain.county, payroll=p, override_reason=override)
    _, data = bank.write_bank_file(user=chain.county, payroll=p, bank=BANK)
    sent = list(csv.reader(io.StringIO(data.decode("gbk"))))[1:-1]
    failing = set(PayrollLine.objects.filter(payroll=p, household_id__in=fail).values_list("id", flat=True))
    results = [
        (int(r[0]), r[3], int(r[0]) not in failing, "账户已冻结" if int(r[0]) in failing else "")
        for r in sent
    ]
    bank.import_bank_result(user=chain.county, payroll=p, data=result_file(results))
    p.refresh_from_db()
    return p, sent


def test_entitlement_to_reconciled_payrolls_with_back_pay_recovery_and_a_failed_line(
    recipient, chain, make_household
):
    a = recipient(amount="600")  # paid every month
    b = recipient(VILLAGE_B, amount="480")  # dies in February, learned in March
    # March: the first month
    march, sent = run_month(chain, D(2026, 3, 1))
    assert march.status == "reconciled" and len(sent) == 2
    # April: a's payment fails at the bank
    april, _ = run_month(chain, D(2026, 4, 1), fail={a.pk})
    rec = selectors.reconciliation(april)
    assert (rec.due, rec.paid, rec.failed, rec.pending) == (
        Decimal("1080.00"),
        Decimal("480.00"),
        Decimal("600.00"),
        Decimal("0.00"),
    )
    assert april.status == "reconciled"
    # The clerk fixes a's account and releases the failed line for reissue.
    chain.account(a.head, card_number("622848"), bank="中国农业银行")
    failed = selectors.failed_worklist(chain.clerk).get()
    pay.release_for_reissue(user=chain.clerk, line=failed, reason="已更换账户")
    # b died in March: the row ends on 1 April, learned now (after April was paid).
    ent.close_current(household=b, on=D(2026, 4, 1), basis="stop", actor=SYSTEM, reason="户主3月死亡")
    # c was admitted late, effective from March.
    c = make_household(VILLAGE_B)
    open_row(c, D(2026, 3, 1), dibao("520"))
    chain.account(c.head)
    may, sent = run_month(chain, D(2026, 5, 1))
    got = sorted(
        PayrollLine.objects.filter(payroll=may).values_list(
            "household_id", "benefit_month", "kind", "amount", "bank"
        )
    )
    assert got == sorted(
        [
            (a.pk, D(2026, 4, 1), "reissue", Decimal("600.00"), "中国农业银行"),
            (a.pk, D(2026, 5, 1), "regular", Decimal("600.00"), "中国农业银行"),
            (c.pk, D(2026, 3, 1), "back_pay", Decimal("520.00"), BANK),
            (c.pk, D(2026, 4, 1), "back_pay", Decimal("520.00"), BANK),
            (c.pk, D(2026, 5, 1), "regular", Decimal("520.00"), BANK),
        ]
    )
    # the bank file of May went to one bank; the other bank's lines are still pending
    rec = selectors.reconciliation(may)
    assert rec.balanced and rec.pending == Decimal("1200.00") and may.status == "released"
    _, data = bank.write_bank_file(user=chain.county, payroll=may, bank="中国农业银行")
    sent = list(csv.reader(io.StringIO(data.decode("gbk"))))[1:-1]
    assert [r[4] for r in sent] == ["2026年04月低保重发", "2026年05月低保"]
    bank.import_bank_result(
        user=chain.county, payroll=may, data=result_file([(int(r[0]), r[3], True, "") for r in sent])
    )
    may.refresh_from_db()
    assert may.status == "reconciled"
    receivable = Receivable.objects.get()
    assert (receivable.household_id, receivable.amount, receivable.status) == (
        b.pk,
        Decimal("480.00"),
        "open",
    )
    assert [m.benefit_month for m in receivable.months.all()] == [D(2026, 4, 1)]
    # every benefit month of every household paid exactly once, whatever failed on the way
    paid = sorted(PayrollLine.objects.filter(status="paid").values_list("household_id", "benefit_month"))
    assert len(paid) == len(set(paid))
    assert (a.pk, D(2026, 4, 1)) in paid
    history = selectors.payment_history(chain.county, a)
    assert [(h["month"], h["status"]) for h in history][:3] == [
        (D(2026, 5, 1), "paid"),
        (D(2026, 4, 1), "paid"),
        (D(2026, 4, 1), "failed"),
    ]
    assert verify_chain().ok
