"""先行救助 from the township reserve fund, the fund ledger and its statement, the decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safetynet.audit.models import AuditRecord
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safetynet.relief import selectors
from safetynet.relief import services as relief
from safetynet.relief.models import FundEntry, ReliefApplication, ReserveFund
from tests.conftest import CHANGNING, VILLAGE_A, VILLAGE_C

pytestmark = pytest.mark.django_db


def test_relief_first_pays_from_the_fund_and_sets_a_working_day_deadline(people, funded, emergency, today):
    funded("5000")
    app = relief.pay_relief_first(user=people.clerk, application=emergency(), amount="1200")
    assert app.status == "paid_first" and app.paid_first_amount == Decimal("1200.00")
    # 2026-06-01 is a Monday: 5 working days later is the following Monday (no holiday that week)
    assert app.paperwork_due == dt.date(2026, 6, 8)
    fund = ReserveFund.objects.get(township__code=CHANGNING)
    assert fund.balance == Decimal("3800.00")
    payout = FundEntry.objects.get(kind="payout")
    assert (payout.amount, payout.balance_after, payout.application_id) == (
        Decimal("1200"),
        Decimal("3800"),
        app.pk,
    )
    assert AuditRecord.objects.filter(action="relief.pay_first", object_id=str(app.pk)).exists()


def test_a_payout_larger_than_the_balance_is_refused_and_nothing_written(people, funded, emergency, today):
    funded("1000")
    app = emergency()
    with pytest.raises(Conflict) as err:
        relief.pay_relief_first(user=people.clerk, application=app, amount="1000.01")
    assert err.value.code == "fund_insufficient" and err.value.field == "amount"
    assert ReserveFund.objects.get().balance == Decimal("1000.00")
    assert FundEntry.objects.filter(kind="payout").count() == 0
    assert ReliefApplication.objects.get(pk=app.pk).status == "applied"


def test_exactly_the_balance_can_be_paid_leaving_zero(people, funded, emergency, today):
    funded("1000")
    relief.pay_relief_first(user=people.clerk, application=emergency(), amount="1000")
    assert ReserveFund.objects.get().balance == Decimal("0.00")


def test_the_database_refuses_a_negative_balance(people, funded, today):
    from django.db import IntegrityError, transaction

    funded("10")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveFund.objects.update(balance=Decimal("-0.01"))


def test_relief_first_above_the_emergency_maximum_is_refused(people, funded, emergency, today):
    funded("50000")
    limits = relief.relief_limits(CHANGNING, "emergency", today)
    assert limits["max"] == Decimal("6") * Decimal("600")  # 6 × the 2026 rural standard (sample parameters)
    with pytest.raises(ValidationFailed) as err:
        relief.pay_relief_first(user=people.clerk, application=emergency(), amount=str(limits["max"] + 1))
    assert err.value.field == "amount"
    relief.pay_relief_first(user=people.clerk, application=emergency(), amount=str(limits["max"]))


def test_expenditure_relief_cannot_be_paid_first(people, funded, make_household, today):
    funded()
    h = make_household(VILLAGE_A)
    app = relief.apply_relief(
        user=people.officer, household_id=h.pk, kind="expenditure", reason="住院自付", amount_asked="3000"
    )
    with pytest.raises(Conflict) as err:
        relief.pay_relief_first(user=people.clerk, application=app, amount="500")
    assert err.value.code == "not_emergency"


def test_village_officer_cannot_apply_for_a_household_outside_the_village(people, make_household, today):
    h = make_household(VILLAGE_C)
    with pytest.raises(Exception) as err:
        relief.apply_relief(
            user=people.officer, household_id=h.pk, kind="emergency", reason="x", amount_asked="100"
        )
    assert getattr(err.value, "code", "") == "household_not_found"
    assert ReliefApplication.objects.count() == 0


def test_someone_outside_the_register_can_apply_in_the_village(people, funded, today):
    funded()
    app = relief.apply_relief(
        user=people.officer,
        village=VILLAGE_A,
        applicant_name="赵流浪",
        kind="emergency",
        reason="外地务工返乡途中钱物被盗",
        amount_asked="300",
        applicant_phone="13800000000",
    )
    assert app.outside_register and app.household_id is None and app.township.code == CHANGNING
    relief.pay_relief_first(user=people.clerk, application=app, amount="300")


def test_another_township_clerk_cannot_see_or_pay_the_relief(people, funded, emergency, today):
    funded()
    app = emergency()
    with pytest.raises(NotFound):
        relief.pay_relief_first(user=people.clerk_gh, application=app, amount="100")
    with pytest.raises(NotFound):
        selectors.get_application(people.officer_c, app.pk)


def test_county_user_cannot_pay_from_a_township_fund(people, funded, emergency, today):
    funded()
    with pytest.raises(PermissionDenied):
        relief.pay_relief_first(user=people.county, application=emergency(), amount="100")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001", "NaN"])
def test_bad_amounts_are_refused_with_the_field(people, funded, emergency, today, amount):
    funded()
    with pytest.raises(ValidationFailed) as err:
        relief.pay_relief_first(user=people.clerk, application=emergency(), amount=amount)
    assert err.value.field == "amount"


def test_paperwork_after_relief_first_closes_it_and_overdue_ones_are_listed(people, funded, emergency, today):
    funded()
    a = relief.pay_relief_first(user=people.clerk, application=emergency(), amount="800")
    b = relief.pay_relief_first(user=people.clerk, application=emergency(), amount="500")
    assert list(selectors.paperwork_overdue(people.clerk, dt.date(2026, 6, 8))) == []
    assert {x.pk for x in selectors.paperwork_overdue(people.clerk, dt.date(2026, 6, 9))} == {a.pk, b.pk}
    done = relief.decide_relief(user=people.clerk, application=a, approve=True, amount="800")
    assert done.status == "paid" and done.amount_granted == Decimal("800")
    assert [x.pk for x in selectors.paperwork_overdue(people.clerk, dt.date(2026, 6, 9))] == [b.pk]


def test_a_grant_above_the_township_limit_goes_to_the_county(people, funded, make_household, today):
    h = make_household(VILLAGE_A)
    app = relief.apply_relief(
        user=people.clerk, household_id=h.pk, kind="expenditure", reason="大病", amount_asked="5000"
    )
    app = relief.decide_relief(
        user=people.clerk, application=app, approve=True, amount="2000.01", pay_method="transfer"
    )
    assert app.status == "county"
    app = relief.county_decide_relief(user=people.county, application=app, approve=True)
    assert app.status == "approved"


def test_exactly_the_township_limit_is_decided_by_the_township(people, make_household, today):
    h = make_household(VILLAGE_A)
    app = relief.apply_relief(
        user=people.clerk, household_id=h.pk, kind="expenditure", reason="大病", amount_asked="2000"
    )
    app = relief.decide_relief(
        user=people.clerk, application=app, approve=True, amount="2000", pay_method="cash"
    )
    assert app.status == "approved"


def test_cash_payment_needs_a_receipt_and_stores_it_encrypted(
    people, funded, make_household, today, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    funded("3000")
    h = make_household(VILLAGE_A)
    app = relief.apply_relief(
        user=people.clerk, household_id=h.pk, kind="expenditure", reason="学费", amount_asked="1000"
    )
    app = relief.decide_relief(
        user=people.clerk, application=app, approve=True, amount="1000", pay_method="cash"
    )
    with pytest.raises(ValidationFailed) as err:
        relief.record_cash_payment(user=people.clerk, application=app, receipt=None)
    assert err.value.field == "receipt"
    data = b"%PDF-1.4 receipt signed by the payee"
    app = relief.record_cash_payment(
        user=people.clerk, application=app, receipt=SimpleUploadedFile("收据.pdf", data, "application/pdf")
    )
    assert app.status == "paid" and ReserveFund.objects.get().balance == Decimal("2000.00")
    raw = open(app.receipt.storage.path(app.receipt.name), "rb").read()
    assert data not in raw
    assert app.receipt.open("rb").read() == data


def test_monthly_statement_balances(people, funded, emergency, today):
    funded("5000")
    a = relief.pay_relief_first(user=people.clerk, application=emergency(), amount="1200")
    relief.decide_relief(user=people.clerk, application=a, approve=False, note="调查发现不符合条件")
    relief.record_return(
        user=people.clerk, township=CHANGNING, amount="1200", note="追回", application_id=a.pk
    )
    s = selectors.monthly_statement(people.clerk, CHANGNING, dt.date(2026, 6, 1))
    assert (s.opening, s.allocations, s.payouts, s.returns, s.closing) == (0, 5000, 1200, 1200, 5000)
    assert s.closing == ReserveFund.objects.get().balance
    later = selectors.monthly_statement(people.clerk, CHANGNING, dt.date(2026, 7, 1))
    assert later.opening == 5000 and later.entries == []


def test_public_notice_lists_relief_recipients_masked(people, funded, emergency, today):
    funded()
    relief.pay_relief_first(user=people.clerk, application=emergency(), amount="800")
    rows = selectors.public_notice(CHANGNING, dt.date(2026, 6, 1))
    assert len(rows) == 1 and rows[0]["name"] == "张*明" and rows[0]["amount"] == Decimal("800")
    assert selectors.public_notice(CHANGNING, dt.date(2026, 5, 1)) == []


def test_the_glossary_names_every_relief_state_and_kind_as_the_models_do():
    from safetynet.core.glossary import label
    from safetynet.relief.models import ReliefKind, ReliefStatus

    assert {v: label("relief_status", v) for v in ReliefStatus.values} == dict(ReliefStatus.choices)
    assert {v: label("relief_kind", v) for v in ReliefKind.values} == dict(ReliefKind.choices)
    assert label("funding", "linshi") == "临时救助资金"


def test_the_daily_scan_puts_due_and_overdue_paperwork_in_the_clerks_inbox_once(
    people, funded, emergency, today
):
    from safetynet.cases.models import InboxItem
    from safetynet.relief.deadlines import scan_relief_deadlines

    funded()
    relief.pay_relief_first(user=people.clerk, application=emergency(), amount="300")  # due 2026-06-08
    assert scan_relief_deadlines(dt.date(2026, 6, 1)) == {"due": 0, "overdue": 0}
    assert scan_relief_deadlines(dt.date(2026, 6, 5))["due"] == 1
    assert scan_relief_deadlines(dt.date(2026, 6, 9)) == {"due": 0, "overdue": 1}
    assert scan_relief_deadlines(dt.date(2026, 6, 9)) == {"due": 0, "overdue": 0}
    assert set(InboxItem.objects.values_list("user__username", "kind")) == {
        ("rl_clerk", "due"),
        ("rl_clerk", "overdue"),
    }
