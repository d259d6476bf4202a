"""The dashboard's stored summaries (dashboard.summary): a township's figures for a month, as
computed for one day at one time."""

from __future__ import annotations

from django.db import models


class DashboardSummary(models.Model):
    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")  # the first day of the month
    day = models.DateField("在册口径日期")
    parts = models.JSONField()
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["township", "month"], name="one_dashboard_summary")]
