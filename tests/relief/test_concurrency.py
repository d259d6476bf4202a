"""Two payouts from one fund at once: real concurrent transactions on separate connections
(threads). Together they exceed the balance, so exactly one is paid and the fund stays at or above
zero. Runs on both databases; the lock that matters is PostgreSQL's row lock on the fund."""

from __future__ import annotations

from decimal import Decimal

import pytest

from safetynet.relief import services as relief
from safetynet.relief.models import FundEntry, ReserveFund
from tests.payments.test_concurrency import _race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_payouts_at_once_cannot_overdraw_the_fund(
    flushable_audit_trail, people, funded, emergency, today
):
    funded("1000")
    a, b = emergency(), emergency()
    outcomes = _race(
        {
            "a": lambda: relief.pay_relief_first(user=people.clerk, application=a, amount="700"),
            "b": lambda: relief.pay_relief_first(user=people.clerk, application=b, amount="700"),
        }
    )
    assert sorted(outcomes.values()) == ["fund_insufficient", "ok"], outcomes
    assert ReserveFund.objects.get().balance == Decimal("300.00")
    assert FundEntry.objects.filter(kind="payout").count() == 1


def test_two_payouts_that_fit_together_both_go_through_in_order(
    flushable_audit_trail, people, funded, emergency, today
):
    funded("1000")
    a, b = emergency(), emergency()
    outcomes = _race(
        {
            "a": lambda: relief.pay_relief_first(user=people.clerk, application=a, amount="400"),
            "b": lambda: relief.pay_relief_first(user=people.clerk, application=b, amount="600"),
        }
    )
    assert outcomes == {"a": "ok", "b": "ok"}
    balances = sorted(FundEntry.objects.filter(kind="payout").values_list("balance_after", flat=True))
    assert ReserveFund.objects.get().balance == Decimal("0.00")
    assert balances in ([Decimal("0"), Decimal("400")], [Decimal("0"), Decimal("600")])
