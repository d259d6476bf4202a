"""Payment fixtures: recipient households with entitlement rows opened through the entitlement
services, payee accounts set through the payment services, and the users of the chain."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from stdnum import luhn

from safetynet.accounts.roles import Role
from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from safetynet.payments import accounts
from safetynet.payments import services as pay
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, member

D = dt.date
_acct = itertools.count(1)


def card_number(prefix: str = "621799") -> str:
    """A 19-digit card number with a valid Luhn digit, different each call."""
    body = f"{prefix}{next(_acct):012d}"
    return body + luhn.calc_check_digit(body)


def dibao(amount="600", members=()):
    return ent.Terms(category="dibao", benefit_monthly=Decimal(amount), members=tuple(members))


def open_row(household, start, terms=None, basis="admission"):
    return ent.open_row(
        household=household,
        valid_from=start,
        terms=terms or dibao(),
        basis=basis,
        decided_on=start - dt.timedelta(days=10),
        actor=SYSTEM,
        reason="测试",
    )


class Chain:
    """The users of the payroll chain and shortcuts through the real services."""

    def __init__(self, make_user):
        self.clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING, "pay_clerk")
        self.clerk_gh = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "pay_clerk_gh")
        self.county = make_user(Role.COUNTY_CIVIL, "141029", "pay_county")
        self.finance = make_user(Role.FINANCE, "141029", "pay_finance")
        self.auditor = make_user(Role.AUDITOR, "141029", "pay_auditor")

    def account(self, person, number=None, bank="乡宁县农村信用合作联社", kind="social_security_card"):
        return accounts.set_payee_account(
            user=self.county,
            person=person,
            kind=kind,
            bank=bank,
            account=number or card_number(),
            reason="开户",
        )

    def generate(self, month, township=CHANGNING):
        user = self.clerk if township == CHANGNING else self.clerk_gh
        return pay.generate_payroll(user=user, township=township, month=month)

    def approve(self, month, township=CHANGNING, **kw):
        p = self.generate(month, township)
        user = self.clerk if township == CHANGNING else self.clerk_gh
        pay.submit_payroll(user=user, payroll=p)
        return pay.approve_payroll(user=self.county, payroll=p, acknowledge_flags=True, **kw)


@pytest.fixture
def chain(make_user):
    return Chain(make_user)


@pytest.fixture
def recipient(make_household, chain):
    """A 低保 household of two in 昌宁镇 from 2026-01 at 600 a month, the head with an account."""

    def make(village=VILLAGE_A, start=None, amount="600", members=None, with_account=True):
        h = make_household(village, members=members or [member("head", name="王大山")])
        open_row(h, start or D(2026, 1, 1), dibao(amount))
        if with_account:
            chain.account(h.head)
        return h

    return make


from tests.browser.conftest import flushable_audit_trail  # noqa: E402,F401  (transactional tests flush the trail)
