"""Paying the benefits: payee accounts, the monthly payroll per township, its lines, the bank's
results, receivables (追回) and the flags raised on a draft.

A payroll line pays one benefit for one month: the household part of an entitlement row (to the
head or a designated payee) or a member's own part (单人保, 特困 individually, to the member). Its
`benefit_key` names the benefit — `h<household id>` or `p<person id>` — so two lines for the same
key and month are the same benefit paid twice. Once a payroll is approved its lines are
`committed`, and two partial unique indexes hold on both databases: one base payment (regular, back
pay, reissue) per key and month, and one adjustment per key, month and entitlement row. A failed
line stays committed (its month counts as paid) until the worklist releases it for reissue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safetynet.registry.fields import EncryptedTextField


class PayeeAccount(models.Model):
    """A person's account for benefit payments; one active account per person. Changed only by
    `services.set_payee_account`, with a reason; the old one is closed, never edited."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="payee_accounts")
    kind = models.CharField("账户类型", max_length=24)
    bank = models.CharField("开户银行", max_length=64)
    account = EncryptedTextField("账号")
    account_index = models.CharField(max_length=64, db_index=True)  # blind index, for shared accounts
    active = models.BooleanField(default=True)
    reason = models.TextField("变更理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(active=True), name="one_active_payee_account"
            )
        ]


class DesignatedPayee(models.Model):
    """Who receives a household's amount when not the head (the head cannot, or the family asks)."""

    household = models.OneToOneField("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("理由")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)


class Payroll(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "乡镇已提交"
        APPROVED = "approved", "县民政局已审批"
        RELEASED = "released", "已发放至银行"
        RECONCILED = "reconciled", "已对账"

    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="payrolls")
    month = models.DateField("发放月份")  # the first day of the month
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    parameters_version = models.CharField(max_length=40, blank=True)
    generated_at = models.DateTimeField(null=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    release_override_reason = models.TextField(blank=True)
    reconciled_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-month", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["township", "month"], name="one_payroll_per_township_month")
        ]

    def __str__(self) -> str:
        return f"{self.township.name} {self.month:%Y年%m月}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class LineKind(models.TextChoices):
    REGULAR = "regular", "当月"
    BACK_PAY = "back_pay", "补发"
    REISSUE = "reissue", "重发"
    ADJUSTMENT = "adjustment", "差额补发"


BASE_KINDS = (LineKind.REGULAR, LineKind.BACK_PAY, LineKind.REISSUE)


class LineStatus(models.TextChoices):
    PENDING = "pending", "待发"
    PAID = "paid", "已到账"
    FAILED = "failed", "发放失败"


class PayrollLine(models.Model):
    # Indexed by payline_payroll_status and payline_household_month (leading columns), not again.
    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="lines", db_index=False)
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    benefit_key = models.CharField(max_length=24)  # h<household> or p<person>
    benefit_month = models.DateField("待遇月份")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # null on a temporary relief line (`relief_lines`), which pays no entitlement row
    entitlement = models.ForeignKey(
        "entitlements.Entitlement", on_delete=models.PROTECT, null=True, related_name="+"
    )
    beneficiary = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, related_name="+")
    payee = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20)
    funding = models.CharField("资金来源", max_length=16)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    account_kind = models.CharField(max_length=24)
    bank = models.CharField(max_length=64)
    account = EncryptedTextField()  # copied at generation: what the bank was asked to pay into
    account_index = models.CharField(max_length=64)
    committed = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING)
    failure_reason = models.CharField(max_length=200, blank=True)
    result_at = models.DateTimeField(null=True)
    released_for_reissue_at = models.DateTimeField(null=True)
    released_for_reissue_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["payroll", "status"], name="payline_payroll_status"),
            models.Index(fields=["payroll", "bank", "id"], name="payline_payroll_bank"),
            models.Index(fields=["benefit_key", "benefit_month"], name="payline_key_month"),
            models.Index(fields=["household", "benefit_month"], name="payline_household_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit_key", "benefit_month"],
                condition=Q(committed=True, kind__in=["regular", "back_pay", "reissue"]),
                name="one_payment_per_benefit_month",
            ),
            models.UniqueConstraint(
                fields=["benefit_key", "benefit_month", "entitlement"],
                condition=Q(committed=True, kind="adjustment"),
                name="one_adjustment_per_row_month",
            ),
        ]


class Receivable(models.Model):
    """An overpayment to recover (追回): months paid that the timeline no longer grants. Proposed
    with its draft payroll (replaced when the draft is), open from the payroll's approval."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审批"
        OPEN = "open", "待追回"
        RECOVERED = "recovered", "已追回"
        WAIVED = "waived", "核销"

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="receivables")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    benefit_key = models.CharField(max_length=24)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    recovered = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ReceivableMonth(models.Model):
    receivable = models.ForeignKey(Receivable, on_delete=models.CASCADE, related_name="months")
    benefit_key = models.CharField(max_length=24)
    benefit_month = models.DateField()
    entitlement = models.ForeignKey(
        "entitlements.Entitlement", on_delete=models.PROTECT, null=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["benefit_month"]
        indexes = [models.Index(fields=["benefit_key", "benefit_month"], name="receivable_key_month")]


class Recovery(models.Model):
    """An amount recovered against a receivable (returned by the family, withheld by agreement):
    recorded as itself, never netted silently against a payment."""

    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    received_on = models.DateField()
    note = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)


class PayrollFlag(models.Model):
    """Something the approver must see before approving: a person counted in two households, a
    deceased payee, an account shared by two unrelated households, a payee without an account."""

    payroll = models.ForeignKey(Payroll, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "household_id"]


class BankFile(models.Model):
    """A disbursement file written for one bank of a released payroll (its digest, not its content:
    the content is unmasked personal data and is produced again on demand, audited each time)."""

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="bank_files")
    bank = models.CharField(max_length=64)
    fmt = models.CharField(max_length=8)
    lines = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    sha256 = models.CharField(max_length=64)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)


class BankResultImport(models.Model):
    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="result_imports")
    sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField()
    paid = models.PositiveIntegerField()
    failed = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["payroll", "sha256"], name="one_import_per_file")]
