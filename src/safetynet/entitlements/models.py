"""The filed status of a household as a dated timeline (应保尽保、应退尽退).

A row says what a household, and each of its members, is entitled to from `valid_from` up to but
not including `valid_until` (open-ended when empty): category, the 防返贫监测 mark, monthly
amounts, the decision that produced it and the parameter version it was computed under. Rows are
never edited, except that a change closes the current row (sets `valid_until`) and opens the next;
only `entitlements.services` writes them. "Entitled on D" is the row with valid_from ≤ D <
valid_until. A household without a row on D was entitled to nothing on D.

No two rows of one household overlap: one open row per household (a unique constraint on both
databases), the service refuses a row dated on or before the current one, and on PostgreSQL an
exclusion constraint over the date ranges holds it whatever writes (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Basis(models.TextChoices):
    """Why a row was opened (or, for STOP and EXPIRY, why the last one was closed)."""

    ADMISSION = "admission", "认定"
    CHANGE = "change", "家庭变化"
    REVIEW = "review", "复核"
    STOP = "stop", "停发（退出）"
    GRADUAL_EXIT = "gradual_exit", "渐退"
    RISK_CLOSURE = "risk_closure", "风险消除"
    STANDARD = "standard", "提标"
    RENEWAL = "renewal", "到期重新认定"
    EXPIRY = "expiry", "有效期届满"
    MIGRATED = "migrated", "存量建档迁移"


class SupportMode(models.TextChoices):
    """How a 特困 person is supported: 在家分散供养 or 在当地的供养服务机构集中供养, at the person's
    choice (国发〔2016〕14号《国务院关于进一步健全特困人员救助供养制度的意见》, 救助供养形式)."""

    CENTRALISED = "centralised", "集中供养"
    DISPERSED = "dispersed", "分散供养"


class Entitlement(models.Model):
    # Found by the unique (household, valid_from) index, which leads with it: no index of its own.
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="entitlements", db_index=False
    )
    # The household's village, kept with it (a household moved to another village moves its rows,
    # `registry.services.hooks.village_followers`), so the rows of an area are found through their
    # own index instead of a probe per household (rosters, docs/scale.md).
    village = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）", db_index=False
    )
    valid_from = models.DateField("起始日期")
    valid_until = models.DateField("终止日期（不含）", null=True, blank=True)
    category = models.CharField("认定类别", max_length=20)
    monitoring_marked = models.BooleanField("防返贫监测对象", default=False)
    monitoring_type = models.CharField("监测类型", max_length=24, blank=True)
    benefit_monthly = models.DecimalField("户月救助金额（元）", max_digits=12, decimal_places=2, default=0)
    # How many member rows the row has (written with them, which never change afterwards), so a
    # roster sums people without counting the member rows of every household it selects.
    people = models.PositiveSmallIntegerField("人数", default=0)
    basis = models.CharField("依据", max_length=16, choices=Basis.choices)
    # Why the row was closed early (a stop, a change), set with `valid_until` by the next change.
    end_basis = models.CharField("终止原因", max_length=16, choices=Basis.choices, blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="entitlements")
    decision = models.ForeignKey(
        "cases.TownshipDecision", on_delete=models.PROTECT, null=True, related_name="entitlements"
    )
    decided_on = models.DateField("决定日期")
    parameters_version = models.CharField("参数版本", max_length=40, blank=True)
    review_due = models.DateField("下次复核期限", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "valid_from"]
        indexes = [
            models.Index(fields=["valid_from", "valid_until"], name="entitlement_period"),
            # An area's rows by category, with the columns the roster's totals read
            # (rosters.selectors.summary): counted from the index alone on PostgreSQL (`include`
            # is for PostgreSQL; SQLite builds the three key columns).
            models.Index(
                fields=["village", "category", "valid_from"],
                include=["valid_until", "people", "benefit_monthly", "household", "id"],
                name="entitlement_village",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(valid_until__isnull=True), name="one_open_entitlement"
            ),
            models.UniqueConstraint(fields=["household", "valid_from"], name="one_entitlement_per_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="entitlement_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"户{self.household_id} {self.category} {self.valid_from}–{self.valid_until or ''}"

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


class EntitlementMember(models.Model):
    """A member's own part of a row: every counted member with the household's category, and
    those individually recognised (单人保, 特困 individually) with their own amounts."""

    # Found by the unique (entitlement, person) index, which leads with it: no index of its own.
    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, related_name="members", db_index=False
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="entitlements")
    category = models.CharField("成员类别", max_length=20, blank=True)
    care_tier = models.CharField("特困照料护理等级", max_length=12, blank=True)
    support_mode = models.CharField("特困供养方式", max_length=12, choices=SupportMode.choices, blank=True)
    benefit_monthly = models.DecimalField("成员月救助金额（元）", max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "person"], name="one_member_row_per_entitlement")
        ]
