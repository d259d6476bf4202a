"""Payee accounts and designated payees: the only writes of `PayeeAccount` and `DesignatedPayee`.

An account is validated (`core.bank_account`: digits, length, Luhn for card numbers), stored
encrypted with a blind index (to find an account shared by unrelated households), shown masked,
and changed only with a reason: the old account is closed, never edited. Each change is audited
with the masked numbers before and after.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core.bank_account import ACCOUNT_KINDS, clean_account_number
from safetynet.core.errors import PermissionDenied, ValidationFailed
from safetynet.core.masking import mask_bank_account
from safetynet.payments.models import DesignatedPayee, PayeeAccount
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Membership
from safetynet.registry.selectors import get_household, get_person


def _require(user) -> None:
    if not user.can(Perm.MANAGE_PAYEE_ACCOUNT):
        raise PermissionDenied("您的角色无权变更发放账户。")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写变更理由。", code="reason_required", field="reason")
    return reason[:2000]


def active_account(person) -> PayeeAccount | None:
    return PayeeAccount.objects.filter(person_id=getattr(person, "pk", person), active=True).first()


def set_payee_account(
    *, user, person, kind: str, bank: str, account: str, reason: str, client: str = ""
) -> PayeeAccount:
    _require(user)
    reason = _reason(reason)
    number = clean_account_number(kind, account)
    bank = (bank or "").strip()
    if not bank:
        raise ValidationFailed("请填写开户银行。", field="bank")
    if len(bank) > 64:
        raise ValidationFailed("开户银行名称过长。", field="bank")
    with transaction.atomic():
        p = get_person(user, getattr(person, "pk", person))
        old = PayeeAccount.objects.select_for_update().filter(person=p, active=True).first()
        if old is not None and (old.account, old.kind, old.bank) == (number, kind, bank):
            return old  # the same account entered again: nothing changes
        if old is not None:
            old.active, old.closed_at = False, timezone.now()
            old.save(update_fields=["active", "closed_at"])
        new = PayeeAccount.objects.create(
            person=p,
            kind=kind,
            bank=bank,
            account=number,
            account_index=blind_index(f"bank:{number}"),
            reason=reason,
            created_by=user,
        )
        record_audit(
            actor=Actor.of(user, client),
            action="payee.account",
            object_type="person",
            object_id=p.pk,
            changes={
                "account": [mask_bank_account(old.account) if old else None, mask_bank_account(number)],
                "kind": [old.kind if old else None, kind],
                "bank": [old.bank if old else None, bank],
            },
            reason=reason,
        )
    return new


def designate_payee(*, user, household, person, reason: str, client: str = "") -> DesignatedPayee:
    """Name the member who receives the household's amount instead of the head."""
    _require(user)
    reason = _reason(reason)
    with transaction.atomic():
        hh = get_household(user, getattr(household, "pk", household))
        pid = int(getattr(person, "pk", person))
        if not Membership.objects.filter(household=hh, person_id=pid, left_on__isnull=True).exists():
            raise ValidationFailed("代领人须为该户现有成员。", code="not_a_member", field="person")
        old = DesignatedPayee.objects.filter(household=hh).first()
        row, _ = DesignatedPayee.objects.update_or_create(
            household=hh, defaults={"person_id": pid, "reason": reason, "set_by": user}
        )
        record_audit(
            actor=Actor.of(user, client),
            action="payee.designate",
            object_type="household",
            object_id=hh.pk,
            changes={"payee": [old.person_id if old else hh.head_id, pid]},
            reason=reason,
        )
    return row


KIND_CHOICES = [(k, v.label) for k, v in ACCOUNT_KINDS.items()]
