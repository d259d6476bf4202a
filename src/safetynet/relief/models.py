"""临时救助 (temporary relief) and the township reserve fund (备用金).

An application is made for a registered household or for a person outside the register (a
stranded non-resident). For 急难型 the township may pay at once from its reserve fund (先行救助);
the paperwork (investigation, verification, decision) is then due within a parameter number of
working days. The reserve fund is a ledger per township; its balance is held on the fund row and
can never go below zero (a check constraint on both the fund and each entry's balance after).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safetynet.registry.fields import EncryptedTextField, encrypted_storage


class ReliefKind(models.TextChoices):
    EMERGENCY = "emergency", "急难型"
    EXPENDITURE = "expenditure", "支出型"


class ReliefStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    PAID_FIRST = "paid_first", "已先行救助（待补办手续）"
    COUNTY = "county", "待县级审批"
    APPROVED = "approved", "已批准（待发放）"
    PAID = "paid", "已发放"
    REFUSED = "refused", "不予救助"


class PayMethod(models.TextChoices):
    RESERVE = "reserve", "备用金先行支付"
    TRANSFER = "transfer", "纳入下期发放名册（转账）"
    CASH = "cash", "现金（附收据）"


class ReserveFund(models.Model):
    township = models.OneToOneField("registry.Area", on_delete=models.PROTECT, related_name="reserve_fund")
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="reserve_fund_not_negative")]


class FundEntry(models.Model):
    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "县级拨付"
        PAYOUT = "payout", "救助支出"
        RETURN = "return", "退回"

    fund = models.ForeignKey(ReserveFund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    application = models.ForeignKey(
        "relief.ReliefApplication", on_delete=models.PROTECT, null=True, related_name="fund_entries"
    )
    note = models.CharField(max_length=500, blank=True)
    on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["fund", "on"], name="fundentry_fund_on")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_amount_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="fund_entry_balance_not_negative"),
        ]


class ReliefApplication(models.Model):
    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    # The village (or, for someone outside the register met at the township, the township): scoping.
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, null=True, related_name="+")
    # Outside the register: the applicant as stated (encrypted at rest).
    applicant_name = models.CharField(max_length=60)
    applicant_id_number = EncryptedTextField(blank=True)
    applicant_phone = EncryptedTextField(blank=True)
    outside_register = models.BooleanField(default=False)
    kind = models.CharField(max_length=12, choices=ReliefKind.choices)
    reason = models.TextField()
    amount_asked = models.DecimalField(max_digits=12, decimal_places=2)
    amount_granted = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    status = models.CharField(max_length=12, choices=ReliefStatus.choices, default=ReliefStatus.APPLIED)
    pay_method = models.CharField(max_length=12, choices=PayMethod.choices, blank=True)
    paid_first_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    paid_first_on = models.DateField(null=True)
    paperwork_due = models.DateField(null=True)
    paperwork_due_provisional = models.BooleanField(default=False)
    decided_on = models.DateField(null=True)
    decision_note = models.TextField(blank=True)
    parameters_version = models.CharField(max_length=64, blank=True)
    paid_on = models.DateField(null=True)
    receipt = models.FileField(upload_to="relief/%Y/%m/", storage=encrypted_storage, blank=True)
    receipt_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["township", "status"], name="relief_township_status")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_asked__gt=0), name="relief_amount_asked_positive"),
            models.CheckConstraint(
                condition=Q(outside_register=True) | Q(household__isnull=False),
                name="relief_household_or_outside",
            ),
        ]

    @property
    def reference(self) -> str:
        return f"LS{self.pk:06d}"
