"""The household assistance plan: its measures, the departments' feedback on them, feedback files.

A household's plan is its measures. A measure is suggested by a rule (`rule`, `clause`, `reason`,
the facts it saw and the parameters' version and digest, so the suggestion can be reproduced) or
entered by the township; it names the member it is for, the responsible department, a status
(suggested → referred → in progress → done / declined with a reason), dates, and an amount where
money is involved. Only `assistance.services` writes these rows; every write is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safetynet.core.glossary import DEPARTMENT_LABELS, MEASURE_KIND_LABELS, MEASURE_STATUS_LABELS


class MeasureStatus(models.TextChoices):
    SUGGESTED = "suggested", MEASURE_STATUS_LABELS["suggested"]
    REFERRED = "referred", MEASURE_STATUS_LABELS["referred"]
    IN_PROGRESS = "in_progress", MEASURE_STATUS_LABELS["in_progress"]
    DONE = "done", MEASURE_STATUS_LABELS["done"]
    DECLINED = "declined", MEASURE_STATUS_LABELS["declined"]


OPEN_STATUSES = (MeasureStatus.SUGGESTED, MeasureStatus.REFERRED, MeasureStatus.IN_PROGRESS)
KIND_CHOICES = list(MEASURE_KIND_LABELS.items())
DEPARTMENT_CHOICES = list(DEPARTMENT_LABELS.items())


class Measure(models.Model):
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="measures")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="measures"
    )
    kind = models.CharField("帮扶措施类型", max_length=20, choices=KIND_CHOICES)
    department = models.CharField("责任部门", max_length=16, choices=DEPARTMENT_CHOICES)
    status = models.CharField(
        "状态", max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.SUGGESTED
    )
    description = models.CharField("措施内容", max_length=300, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    # 慈善帮扶: the registered charity and what it gave.
    charity_name = models.CharField("慈善组织", max_length=120, blank=True)
    charity_gave = models.CharField("慈善组织帮扶内容", max_length=300, blank=True)
    # A suggestion's provenance (blank for a measure entered by hand).
    rule = models.CharField("建议规则", max_length=64, blank=True)
    clause = models.CharField("依据", max_length=200, blank=True)
    reason = models.CharField("建议理由代码", max_length=64, blank=True)
    facts = models.JSONField("建议时所见事实", default=dict, blank=True)
    parameters_version = models.CharField("参数版本", max_length=40, blank=True)
    parameters_digest = models.CharField("参数摘要", max_length=64, blank=True)
    suggested_on = models.DateField("建议日期", null=True, blank=True)
    referred_on = models.DateField("转介日期", null=True, blank=True)
    started_on = models.DateField("开始办理日期", null=True, blank=True)
    finished_on = models.DateField("办结日期", null=True, blank=True)
    decline_reason = models.CharField("不予实施理由", max_length=300, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household_id", "id"]
        indexes = [models.Index(fields=["department", "status"], name="measure_department_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="measure_declined_with_reason"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="measure_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="charity") | ~Q(charity_name=""), name="charity_measure_names_charity"
            ),
            # A rule suggests a measure once while it is open (generation is idempotent).
            models.UniqueConstraint(
                fields=["household", "person", "kind", "rule"],
                condition=Q(status__in=["suggested", "referred", "in_progress"]) & ~Q(rule=""),
                name="one_open_suggestion_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"措施{self.pk} {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Feedback(models.Model):
    """One report back on a measure, from the department (web, API or file) or the township."""

    class Channel(models.TextChoices):
        WEB = "web", "网页"
        API = "api", "接口"
        FILE = "file", "文件上传"

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="feedback")
    status = models.CharField("办理状态", max_length=12, choices=MeasureStatus.choices)
    on = models.DateField("办理日期")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    upload = models.ForeignKey(
        "FeedbackUpload", on_delete=models.PROTECT, null=True, blank=True, related_name="rows"
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure_id", "id"]


class FeedbackUpload(models.Model):
    """A department's feedback file: loaded whole or refused whole (its errors kept)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "已导入"
        REJECTED = "rejected", "已拒收"

    department = models.CharField("部门", max_length=16, choices=DEPARTMENT_CHOICES)
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件内容哈希", max_length=64)
    size = models.PositiveIntegerField("文件大小（字节）")
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    rows_total = models.PositiveIntegerField(default=0)
    errors = models.JSONField("错误（前1000条）", default=list)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
