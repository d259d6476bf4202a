"""The monthly change report of a township (按月上报变化情况), docs/monthly-report.md.

One report per township and month. Its figures (summary, household and person lines, corrections)
are computed from the entitlement timeline as it stood at the report's cutoff and stored as a JSON
snapshot with its digest: a report shows what it stored, never a recomputation. Only
`reports.services` writes; once approved nothing in it changes (the services refuse, and a later
correction of that month goes into the next month's report).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "已编制（待报送）"
    SUBMITTED = "submitted", "已报送（待审批）"
    APPROVED = "approved", "已审批（锁定）"


class MonthlyReport(models.Model):
    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("报表月份")  # the first day of the month
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # The cutoff: the audit trail's sequence number when the figures were computed (every
    # timeline write appends to the trail in its own transaction, so "rows known at seq S" is exact)
    # and that moment's time.
    cutoff_seq = models.PositiveBigIntegerField("截止审计序号")
    cutoff_at = models.DateTimeField("数据截止时间")
    figures = models.JSONField("报表数据")
    digest = models.CharField("报表数据摘要（SHA-256）", max_length=64)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField("编制时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    returned_reason = models.TextField("退回理由", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-month", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["township", "month"], name="one_report_per_township_month"),
        ]

    def __str__(self) -> str:
        return f"{self.township_id} {self.month:%Y-%m} {self.status}"

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def locked(self) -> bool:
        return self.status == ReportStatus.APPROVED


class StatisticsSnapshot(models.Model):
    """A township's monthly statistics computed once at the month's standing cutoff
    (reports/statistics.py): what every later reading of that month shows."""

    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("统计月份")  # the first day of the month
    cutoff_at = models.DateTimeField("数据截止时间")
    figures = models.JSONField("统计数据")
    digest = models.CharField("统计数据摘要（SHA-256）", max_length=64)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["township", "month"], name="one_statistics_per_township_month"),
        ]


class ProvisionalStatistics(models.Model):
    """A township's statistics of a month whose cutoff is still ahead, as of `computed_at`: the
    summary the statistics pages read, recomputed for every township by the job every few minutes
    (or by a reading that finds none recent enough) and always shown with its time
    (reports/statistics.py). Replaced in place; the frozen figures are `StatisticsSnapshot`."""

    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("统计月份")  # the first day of the month
    computed_at = models.DateTimeField("统计时间")
    figures = models.JSONField("统计数据")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["township", "month"], name="one_provisional_statistics_per_township_month"
            ),
        ]
