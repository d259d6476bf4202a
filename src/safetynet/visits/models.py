"""A visit (巡访探视) as recorded by the village officer: the household, the day, who was seen, the
两不愁三保障 checklist, what was found, photos (encrypted at rest like case attachments), and the
lead raised when the officer found a risk. Rows are written only by `visits.services` and never
edited; a visit recorded in error is corrected by the next one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.registry.fields import encrypted_storage

# 两不愁三保障 and safe drinking water (seed 二(六); MISSION.md).
CHECKLIST = {
    "food": "吃穿不愁：吃",
    "clothing": "吃穿不愁：穿",
    "schooling": "义务教育有保障",
    "medical": "基本医疗有保障",
    "housing": "住房安全有保障",
    "water": "饮水安全有保障",
}


class Finding(models.TextChoices):
    OK = "ok", "有保障"
    RISK = "risk", "存在问题"
    NOT_APPLICABLE = "na", "不涉及"


class Visit(models.Model):
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("探访日期")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seen = models.JSONField("见到的家庭成员（人员编号）", default=list)
    checklist = models.JSONField("两不愁三保障核查", default=dict)  # item → ok / risk / na
    notes = models.TextField("探访情况", blank=True)
    risk_found = models.BooleanField("发现返贫致贫风险", default=False)
    lead = models.ForeignKey("cases.Lead", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"], name="visit_household_day")]

    def __str__(self) -> str:
        return f"户{self.household_id} {self.visited_on}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="visits/%Y/%m/", storage=encrypted_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
