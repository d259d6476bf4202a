"""The approval chain: township prepares and submits, county civil affairs approves and releases;
each step audited with who, when and the totals; flags shown before approval; a month released
only after the previous one is reconciled, unless overridden with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from safetynet.audit.models import AuditRecord
from safetynet.core import clock
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safetynet.entitlements import services as ent
from safetynet.payments import selectors
from safetynet.payments import services as pay
from safetynet.registry import services as registry_services
from tests.conftest import VILLAGE_B, VILLAGE_C, member
from tests.payments.conftest import D, card_number, dibao, open_row

pytestmark = pytest.mark.django_db


def test_each_step_is_audited_with_who_and_the_totals(recipient, chain):
    recipient(amount="600")
    recipient(VILLAGE_B, amount="455.50")
    p = chain.generate(D(2026, 3, 1))
    pay.submit_payroll(user=chain.clerk, payroll=p)
    with pytest.raises(PermissionDenied):
        pay.approve_payroll(user=chain.clerk, payroll=p)
    with pytest.raises(PermissionDenied):
        pay.approve_payroll(user=chain.finance, payroll=p)
    pay.approve_payroll(user=chain.county, payroll=p, note="已核")
    pay.release_payroll(user=chain.county, payroll=p)
    p.refresh_from_db()
    assert (p.status, p.submitted_by, p.approved_by, p.released_by) == (
        "released",
        chain.clerk,
        chain.county,
        chain.county,
    )
    recs = list(AuditRecord.objects.filter(object_type="payroll").order_by("seq"))
    assert [(r.action, r.actor) for r in recs] == [
        ("payroll.generate", "pay_clerk"),
        ("payroll.submit", "pay_clerk"),
        ("payroll.approve", "pay_county"),
        ("payroll.release", "pay_county"),
    ]
    assert all(r.changes["total"] == "1055.50" and r.changes["lines"] == 2 for r in recs)
    assert recs[2].changes["by_category"] == {"dibao/dibao": [2, "1055.50"]}
    totals = selectors.totals(selectors.payrolls_visible_to(chain.finance))
    assert [(t.township, t.category, t.funding, t.lines, t.amount) for t in totals] == [
        ("昌宁镇", "dibao", "dibao", 2, Decimal("1055.50"))
    ]


def test_a_submitted_payroll_can_be_returned_with_a_reason_and_generated_again(recipient, chain):
    recipient()
    p = chain.generate(D(2026, 3, 1))
    pay.submit_payroll(user=chain.clerk, payroll=p)
    with pytest.raises(Conflict):
        chain.generate(D(2026, 3, 1))
    with pytest.raises(ValidationFailed) as e:
        pay.return_payroll(user=chain.county, payroll=p, reason=" ")
    assert e.value.field == "reason"
    pay.return_payroll(user=chain.county, payroll=p, reason="请补充代领人")
    assert chain.generate(D(2026, 3, 1)).status == "draft"


def test_release_waits_for_the_previous_month_to_be_reconciled_unless_overridden(recipient, chain):
    recipient()
    chain.approve(D(2026, 2, 1))
    pay.release_payroll(user=chain.county, payroll=chain_payroll(chain, D(2026, 2, 1)))  # no January: first
    march = chain.approve(D(2026, 3, 1))
    with pytest.raises(ValidationFailed) as e:
        pay.release_payroll(user=chain.county, payroll=march)
    assert e.value.code == "previous_not_reconciled" and e.value.field == "override_reason"
    assert "2026年02月" in e.value.message
    pay.release_payroll(user=chain.county, payroll=march, override_reason="春节前发放，2月对账延后")
    march.refresh_from_db()
    assert march.status == "released" and march.release_override_reason.startswith("春节前")
    rec = AuditRecord.objects.filter(action="payroll.release").order_by("-seq").first()
    assert rec.reason == "春节前发放，2月对账延后" and rec.changes["override"] is True


def test_a_skipped_month_does_not_hide_an_unreconciled_earlier_payroll(recipient, chain):
    recipient()
    january = chain.approve(D(2026, 1, 1))
    pay.release_payroll(user=chain.county, payroll=january)  # released, never reconciled
    march = chain.approve(D(2026, 3, 1))  # no February payroll
    with pytest.raises(ValidationFailed) as e:
        pay.release_payroll(user=chain.county, payroll=march)
    assert e.value.code == "previous_not_reconciled" and "2026年01月" in e.value.message
    march.refresh_from_db()
    assert (
        march.status == "approved"
        and not AuditRecord.objects.filter(action="payroll.release", object_id=str(march.pk)).exists()
    )


def chain_payroll(chain, month):
    return selectors.payrolls_visible_to(chain.county).get(month=month)


def test_payrolls_are_seen_within_reach_and_finance_sees_them_read_only(recipient, chain):
    recipient()
    p = chain.generate(D(2026, 3, 1))
    assert selectors.get_payroll(chain.finance, p.pk) == p
    assert selectors.get_payroll(chain.auditor, p.pk) == p
    with pytest.raises(NotFound):
        selectors.get_payroll(chain.clerk_gh, p.pk)
    with pytest.raises(PermissionDenied):
        pay.submit_payroll(user=chain.finance, payroll=p)
    with pytest.raises(PermissionDenied):
        pay.submit_payroll(user=chain.auditor, payroll=p)


def test_flags_before_approval_two_households_deceased_payee_shared_account(
    recipient, chain, make_household, make_user
):
    from safetynet.accounts.roles import Role

    shared = card_number()
    a = recipient(with_account=False)
    chain.account(a.head, shared)
    b = recipient(VILLAGE_B, with_account=False)
    chain.account(b.head, shared)  # the same card as an unrelated household
    # a member of a 低保 household who died; the family's amount goes to her as designated payee
    c = make_household(VILLAGE_B, members=[member("head", name="周父"), member("spouse", name="周母")])
    wife = c.memberships.get(relation="spouse")
    open_row(c, D(2026, 1, 1))
    from safetynet.payments import accounts

    chain.account(wife.person)
    accounts.designate_payee(user=chain.county, household=c, person=wife.person, reason="户主行动不便")
    admin = make_user(Role.ADMIN, "14", "flag_admin")
    registry_services.end_membership(
        user=admin, household=c, membership=wife, left_on=clock.today(), reason="死亡"
    )
    # a person with an own amount in a row of a 光华镇 household too
    d = recipient()
    other = make_household(VILLAGE_C)
    own = (ent.MemberPart(d.head.pk, "individual_dibao", benefit_monthly=Decimal("300")),)
    open_row(other, D(2026, 1, 1), dibao("300", own))
    p = chain.generate(D(2026, 3, 1))
    flags = set(p.flags.values_list("kind", "household_id"))
    assert flags == {
        ("shared_account", a.pk),
        ("shared_account", b.pk),
        ("deceased_payee", c.pk),
        ("two_households", d.pk),
    }
    pay.submit_payroll(user=chain.clerk, payroll=p)
    with pytest.raises(ValidationFailed) as e:
        pay.approve_payroll(user=chain.county, payroll=p)
    assert e.value.code == "flags_open" and "4条疑点" in e.value.message
    pay.approve_payroll(user=chain.county, payroll=p, acknowledge_flags=True)
    assert AuditRecord.objects.get(action="payroll.approve").changes["flags_acknowledged"] == 4
