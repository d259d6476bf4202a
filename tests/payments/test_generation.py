"""The monthly payroll: one line per payee and benefit from the rows in force on the month's first
day, generated in the database, replaced while a draft, never changed once approved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safetynet.audit.models import AuditRecord
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safetynet.entitlements import services as ent
from safetynet.payments import services as pay
from safetynet.payments.models import Payroll, PayrollLine
from tests.conftest import CHANGNING, VILLAGE_B, VILLAGE_C, member
from tests.payments.conftest import D, dibao, open_row

pytestmark = pytest.mark.django_db


def lines(payroll):
    return list(
        PayrollLine.objects.filter(payroll=payroll)
        .order_by("benefit_key")
        .values_list("benefit_key", "payee__name", "amount", "kind", "category", "funding", "benefit_month")
    )


def test_household_amount_goes_to_the_head_and_own_amounts_to_the_member(make_household, chain):
    h = make_household(members=[member("head", name="王大山"), member("spouse", name="李小芳")])
    spouse = h.memberships.get(relation="spouse").person
    # The household amount (890) includes the spouse's own 单人保 amount (290).
    open_row(
        h,
        D(2026, 1, 1),
        dibao("890", [ent.MemberPart(spouse.pk, "individual_dibao", benefit_monthly=Decimal("290"))]),
    )
    chain.account(h.head)
    chain.account(spouse)
    p = chain.generate(D(2026, 3, 1))
    assert lines(p) == [
        (f"h{h.pk}", "王大山", Decimal("600.00"), "regular", "dibao", "dibao", D(2026, 3, 1)),
        (f"p{spouse.pk}", "李小芳", Decimal("290.00"), "regular", "individual_dibao", "dibao", D(2026, 3, 1)),
    ]
    line = PayrollLine.objects.get(payroll=p, benefit_key=f"h{h.pk}")
    assert line.entitlement.household_id == h.pk and len(line.account) == 19
    # the account is stored encrypted
    with connection.cursor() as cur:
        cur.execute("SELECT account FROM payments_payrollline WHERE id = %s", [line.pk])
        assert cur.fetchone()[0] != line.account


def test_tekun_members_are_paid_from_tekun_funds_and_rows_not_in_force_are_not_paid(make_household, chain):
    t = make_household(members=[member("head", name="赵老汉")])
    head = t.head
    open_row(
        t,
        D(2026, 1, 1),
        ent.Terms(
            category="tekun",
            benefit_monthly=Decimal("1250"),
            members=(ent.MemberPart(head.pk, "tekun", "partial", Decimal("1250")),),
        ),
    )
    chain.account(head)
    later = make_household(VILLAGE_B)
    open_row(later, D(2026, 4, 1))
    chain.account(later.head)
    stopped = make_household(VILLAGE_B)
    open_row(stopped, D(2026, 1, 1))
    chain.account(stopped.head)
    ent.close_current(
        household=stopped, on=D(2026, 3, 1), basis="stop", actor=chain_actor(), reason="收入超标"
    )
    elsewhere = make_household(VILLAGE_C)  # 光华镇: another township's payroll
    open_row(elsewhere, D(2026, 1, 1))
    chain.account(elsewhere.head)
    p = chain.generate(D(2026, 3, 1))
    assert [(k, a, c, f) for k, _, a, _, c, f, _ in lines(p)] == [
        (f"p{head.pk}", Decimal("1250.00"), "tekun", "tekun")
    ]


def chain_actor():
    from safetynet.audit.services import SYSTEM

    return SYSTEM


def test_generating_a_draft_again_replaces_it_and_an_approved_payroll_never_changes(recipient, chain):
    h = recipient()
    first = chain.generate(D(2026, 3, 1))
    first_ids = set(PayrollLine.objects.filter(payroll=first).values_list("id", flat=True))
    other = recipient(VILLAGE_B)
    again = chain.generate(D(2026, 3, 1))
    assert again.pk == first.pk and Payroll.objects.count() == 1
    assert {k for k, *_ in lines(again)} == {f"h{h.pk}", f"h{other.pk}"}
    assert not first_ids & set(PayrollLine.objects.filter(payroll=again).values_list("id", flat=True))
    chain.approve(D(2026, 3, 1))
    with pytest.raises(Conflict) as e:
        chain.generate(D(2026, 3, 1))
    assert e.value.code == "payroll_state"
    assert PayrollLine.objects.filter(payroll=again, committed=True).count() == 2
    actions = list(
        AuditRecord.objects.filter(object_type="payroll").order_by("seq").values_list("action", flat=True)
    )
    assert actions == [
        "payroll.generate",
        "payroll.generate",
        "payroll.generate",
        "payroll.submit",
        "payroll.approve",
    ]


def test_the_main_lines_are_inserted_in_a_constant_number_of_queries(recipient, chain):
    for _ in range(3):
        recipient()
    chain.generate(D(2026, 3, 1))  # the payroll row exists from here on
    with CaptureQueriesContext(connection) as few:
        chain.generate(D(2026, 3, 1))
    for _ in range(12):
        recipient(VILLAGE_B)
    with CaptureQueriesContext(connection) as many:
        chain.generate(D(2026, 3, 1))
    assert PayrollLine.objects.count() == 15
    assert len(many) == len(few)


def test_a_month_without_a_dibao_standard_is_a_clear_error_naming_the_parameter(recipient, chain):
    recipient()
    with pytest.raises(ValidationFailed) as e:
        chain.generate(D(2023, 12, 1))
    assert e.value.code == "standard_missing" and e.value.field.startswith("dibao.standard_monthly")
    assert "低保标准" in e.value.message and e.value.field in e.value.message
    assert not Payroll.objects.exists()


def test_a_payee_without_an_account_is_flagged_not_paid_and_paid_back_once_the_account_exists(
    recipient, chain
):
    h = recipient(with_account=False)
    p = chain.approve(D(2026, 3, 1))
    assert lines(p) == []
    assert list(p.flags.values_list("kind", "household_id", "amount")) == [
        ("no_account", h.pk, Decimal("600.00"))
    ]
    chain.account(h.head)
    april = chain.generate(D(2026, 4, 1))
    assert [(k, a, kind, m) for k, _, a, kind, _, _, m in lines(april)] == [
        (f"h{h.pk}", Decimal("600.00"), "back_pay", D(2026, 3, 1)),
        (f"h{h.pk}", Decimal("600.00"), "regular", D(2026, 4, 1)),
    ]


def test_only_the_township_clerk_of_the_township_generates(recipient, chain, make_user):
    from safetynet.accounts.roles import Role

    recipient()
    with pytest.raises(PermissionDenied):
        pay.generate_payroll(user=chain.county, township=CHANGNING, month=D(2026, 3, 1))
    with pytest.raises(PermissionDenied):
        pay.generate_payroll(user=chain.finance, township=CHANGNING, month=D(2026, 3, 1))
    with pytest.raises(NotFound):
        pay.generate_payroll(user=chain.clerk_gh, township=CHANGNING, month=D(2026, 3, 1))
    village = make_user(Role.VILLAGE_OFFICER)
    with pytest.raises(PermissionDenied):
        pay.generate_payroll(user=village, township=CHANGNING, month=D(2026, 3, 1))
    assert dt.date(2026, 3, 1) not in Payroll.objects.values_list("month", flat=True)
