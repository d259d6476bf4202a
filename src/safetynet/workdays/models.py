"""The admin-edited official calendar: the State Council's yearly notice as transcribed."""

from __future__ import annotations

from django.db import models


class OfficialYear(models.Model):
    """A year whose notice has been transcribed in full: its dates are official, not provisional."""

    year = models.PositiveSmallIntegerField(unique=True)
    notice = models.CharField("通知文号或标题", max_length=200)


class OfficialDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField("名称", max_length=64, blank=True)
    notice = models.CharField("依据通知", max_length=200)

    class Meta:
        ordering = ["date"]
