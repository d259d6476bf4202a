"""What the cases after admission record (二(六)2 动态管理): the township's decision on a change,
review or stop, and the letter that tells the family (告知对象本人)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChangeDecision(models.Model):
    """乡镇审核确认 of a change, review or stop case: the engine's re-assessment against the
    entitlement in force, and what the township decided. Filed by the county (县级备案), an
    outcome of `change` or `stop` changes the timeline from `effective_from`."""

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", "无变化，继续享受"
        CHANGE = "change", "变更待遇"
        STOP = "stop", "停发（退出）"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="change_decisions")
    round = models.PositiveSmallIntegerField()
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="+")
    before = models.ForeignKey(
        "entitlements.Entitlement", on_delete=models.PROTECT, related_name="+", verbose_name="决定时的待遇"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    overridden = models.BooleanField("改变测算建议", default=False)
    # The terms after the decision (category, mark, type, household amount, members), as the
    # timeline's Terms; for a stop, the terms of the gradual-exit months (渐退) or {}.
    terms = models.JSONField(default=dict)
    gradual_exit_months = models.PositiveSmallIntegerField("渐退月数", default=0)
    effective_from = models.DateField("变更或停发生效日期")
    reason = models.TextField("理由", blank=True)
    proposal = models.JSONField(default=dict)  # the engine's result as shown
    parameters_version = models.CharField(max_length=40)
    stop_notice_ends = models.DateField("申辩期满日期", null=True)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)  # false once an objection sent it back

    class Meta:
        ordering = ["id"]


class Letter(models.Model):
    """A written notice to the family (变更、停发、复核、提标告知书), kept with the case; its PDF is
    rendered from `text` on request (cases/pdf.py)."""

    class Kind(models.TextChoices):
        CHANGE = "change", "待遇变更告知书"
        STOP = "stop", "停发（退出）告知书"
        REVIEW = "review", "复核结果告知书"
        STANDARD = "standard", "提标告知书"

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="letters")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="letters")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    recipient_name = models.CharField(max_length=64)
    title = models.CharField(max_length=64)
    text = models.TextField()
    issued_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class StandardChange(models.Model):
    """提标: a new standard from a date re-computes every recipient's amount in one batch decision
    (no per-household procedure); each household gets a letter and an SMS. Its figures and the
    households set aside (an open case, a category the new standard would change) are kept."""

    region = models.CharField("区划代码", max_length=12)
    effective_from = models.DateField("新标准执行日期")
    document = models.CharField("文件及文号", max_length=200)
    reason = models.TextField("说明", blank=True)
    parameters_version = models.CharField(max_length=40)
    households = models.PositiveIntegerField("重新计算户数", default=0)
    changed = models.PositiveIntegerField("金额变化户数", default=0)
    total_before = models.DecimalField("调整前月救助总额", max_digits=16, decimal_places=2, default=0)
    total_after = models.DecimalField("调整后月救助总额", max_digits=16, decimal_places=2, default=0)
    skipped = models.JSONField("未调整的户及原因", default=list)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "effective_from"], name="one_standard_change_per_date")
        ]
