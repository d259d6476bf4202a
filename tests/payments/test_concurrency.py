"""Two generations of one payroll at once, and two approvals that would pay the same benefit month
at once: real concurrent transactions on separate connections (threads), on both databases."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections

from safetynet.core.errors import Conflict
from safetynet.entitlements import services as ent
from safetynet.payments import services as pay
from safetynet.payments.models import Payroll, PayrollLine
from tests.conftest import GUANGHUA, VILLAGE_C
from tests.payments.conftest import D, dibao, open_row


def _retrying(fn):
    # The SQLite test database is in memory with a shared cache, which answers "table is locked"
    # at once instead of waiting like the file database in service: wait here as SQLite's busy
    # timeout would. PostgreSQL needs none of this.
    for _ in range(400):
        try:
            return fn()
        except OperationalError as err:
            if connection.vendor != "sqlite" or "locked" not in str(err):
                raise
            time.sleep(0.02)
    raise AssertionError("SQLite stayed locked")


def _race(calls: dict) -> dict:
    barrier = threading.Barrier(len(calls))
    outcomes = {}

    def run(name, fn):
        try:
            barrier.wait(timeout=10)
            _retrying(fn)
            outcomes[name] = "ok"
        except Conflict as err:
            outcomes[name] = err.code
        except Exception as err:  # noqa: BLE001 — reported in the assertion
            outcomes[name] = repr(err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_generations_at_once_leave_one_draft_with_each_line_once(flushable_audit_trail, recipient, chain):
    homes = [recipient() for _ in range(4)]
    month = D(2026, 3, 1)
    outcomes = _race({"a": lambda: chain.generate(month), "b": lambda: chain.generate(month)})
    assert outcomes == {"a": "ok", "b": "ok"}
    assert Payroll.objects.count() == 1
    keys = sorted(PayrollLine.objects.values_list("benefit_key", flat=True))
    assert keys == sorted(f"h{h.pk}" for h in homes)


@pytest.mark.django_db(transaction=True)
def test_two_approvals_paying_the_same_month_at_once_one_wins(
    flushable_audit_trail, recipient, chain, make_household
):
    a = recipient()
    person = a.head
    other = make_household(VILLAGE_C)
    own = (ent.MemberPart(person.pk, "individual_dibao", benefit_monthly=Decimal("300")),)
    open_row(other, D(2026, 1, 1), dibao("300", own))
    open_row(a, D(2026, 2, 1), dibao("900", own), basis="change")
    month = D(2026, 3, 1)
    drafts = {}
    for township, clerk in (("141029100", chain.clerk), (GUANGHUA, chain.clerk_gh)):
        p = chain.generate(month, township)
        pay.submit_payroll(user=clerk, payroll=p)
        drafts[township] = p
    outcomes = _race(
        {
            t: (lambda p=p: pay.approve_payroll(user=chain.county, payroll=p, acknowledge_flags=True))
            for t, p in drafts.items()
        }
    )
    assert sorted(outcomes.values()) == ["already_paid", "ok"], outcomes
    assert (
        PayrollLine.objects.filter(benefit_key=f"p{person.pk}", benefit_month=month, committed=True).count()
        == 1
    )
    assert Payroll.objects.filter(status="approved").count() == 1
