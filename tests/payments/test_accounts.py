"""Payee accounts: validated (length, Luhn for card numbers), held encrypted, shown masked,
changed only with a reason, each change audited with the numbers masked."""

from __future__ import annotations

import pytest
from django.db import connection

from safetynet.audit.models import AuditRecord
from safetynet.core.bank_account import clean_account_number
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.payments import accounts
from safetynet.payments.models import PayeeAccount
from tests.conftest import VILLAGE_C
from tests.payments.conftest import card_number

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "number", "code"),
    [
        ("bank_card", "6217991234567890123", "account_check_digit"),
        ("bank_card", "62179912345", "account_length"),
        ("social_security_card", "62179912345678901x3", "account_not_digits"),
        ("yikatong", "", "account_required"),
        ("passbook", "123456789012", "account_kind_invalid"),
    ],
)
def test_an_account_number_that_fails_validation_is_a_field_error(kind, number, code):
    with pytest.raises(ValidationFailed) as e:
        clean_account_number(kind, number)
    assert e.value.code == code
    assert e.value.field == ("kind" if code == "account_kind_invalid" else "account")


def test_valid_numbers_pass_with_spaces_removed_and_yikatong_has_no_check_digit():
    good = card_number()
    assert clean_account_number("bank_card", f"{good[:4]} {good[4:8]} {good[8:]}") == good
    assert clean_account_number("yikatong", "1410 2910 0000 1234") == "1410291000001234"


def test_a_change_needs_a_reason_closes_the_old_account_and_is_audited_masked(make_household, chain):
    h = make_household()
    with pytest.raises(ValidationFailed) as e:
        accounts.set_payee_account(
            user=chain.clerk,
            person=h.head,
            kind="bank_card",
            bank="邮储银行",
            account=card_number(),
            reason="",
        )
    assert e.value.field == "reason"
    first, second = card_number(), card_number()
    a = accounts.set_payee_account(
        user=chain.clerk, person=h.head, kind="bank_card", bank="邮储银行", account=first, reason="开户"
    )
    b = accounts.set_payee_account(
        user=chain.clerk,
        person=h.head,
        kind="social_security_card",
        bank="农商银行",
        account=second,
        reason="原卡挂失",
    )
    a.refresh_from_db()
    assert (a.active, b.active) == (False, True)
    assert accounts.active_account(h.head) == b
    with connection.cursor() as cur:
        cur.execute("SELECT account FROM payments_payeeaccount WHERE id = %s", [b.pk])
        assert second not in cur.fetchone()[0]
    rec = AuditRecord.objects.filter(action="payee.account").order_by("-seq").first()
    assert rec.changes["account"] == ["*" * 15 + first[-4:], "*" * 15 + second[-4:]]
    assert rec.reason == "原卡挂失" and first not in str(rec.changes) and second not in str(rec.changes)
    # the same account again changes nothing
    assert (
        accounts.set_payee_account(
            user=chain.clerk,
            person=h.head,
            kind="social_security_card",
            bank="农商银行",
            account=second,
            reason="重复",
        )
        == b
    )
    assert PayeeAccount.objects.filter(person=h.head).count() == 2


def test_accounts_are_changed_only_within_reach_and_by_permitted_roles(make_household, chain):
    there = make_household(VILLAGE_C)
    with pytest.raises(NotFound):
        accounts.set_payee_account(
            user=chain.clerk,
            person=there.head,
            kind="bank_card",
            bank="邮储银行",
            account=card_number(),
            reason="x",
        )
    with pytest.raises(PermissionDenied):
        accounts.set_payee_account(
            user=chain.finance,
            person=there.head,
            kind="bank_card",
            bank="邮储银行",
            account=card_number(),
            reason="x",
        )
