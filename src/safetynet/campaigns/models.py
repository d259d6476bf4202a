"""The yearly review campaign (7–8月复核, 二(六)2): opened by the county civil-affairs office for a
period over the county or one township; a review case for every household due, created per
township in the background; batch verification; progress per township and village.

A campaign is unique per area and period (a constraint; the service also refuses a campaign whose
period overlaps one over the same, an enclosing or an enclosed area). Its cases are linked here
(`CampaignCase`, one per campaign and household), never on the case itself: the cases app knows
nothing of campaigns. Households due that already had an open case are listed as skipped
(`CampaignSkip`), with the case. The background work advances township by township
(`CampaignTownship`), so a run that was interrupted continues where it stopped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Campaign(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待开始"
        CREATING = "creating", "正在生成复核案件"
        VERIFYING = "verifying", "正在批量核对"
        READY = "ready", "已生成，复核办理中"
        FAILED = "failed", "后台处理出错（可重新运行）"

    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(max_length=500, blank=True)
    # Progress of the background work (sums over the townships), for the pages while it runs.
    households_due = models.PositiveIntegerField("应复核户数", default=0)
    cases_created = models.PositiveIntegerField("已生成案件", default=0)
    skipped = models.PositiveIntegerField("跳过户数", default=0)
    verified = models.PositiveIntegerField("已完成批量核对", default=0)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "starts_on", "ends_on"], name="one_campaign_per_area_and_period"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_order"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignTownship(models.Model):
    """One township of a campaign: the unit of the background work and of its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "待生成"
        CREATED = "created", "案件已生成"
        VERIFIED = "verified", "批量核对已完成"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="townships")
    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    households_due = models.PositiveIntegerField(default=0)
    cases_created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["township__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "township"], name="one_row_per_campaign_township")
        ]


class CampaignCase(models.Model):
    """The review case a campaign opened for a household (at most one per campaign and household)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="campaign_link")
    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="one_case_per_campaign_household")
        ]


class CampaignSkip(models.Model):
    """A household due that got no review case, and why (an open case already: it is reviewed there)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="skips")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    open_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.CharField("原因", max_length=200)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="one_skip_per_campaign_household")
        ]
