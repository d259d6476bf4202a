"""Leads (线索) from every channel; the case workflow builds on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.registry.fields import EncryptedTextField


class Channel(models.TextChoices):
    SELF_DECLARED = "self_declared", "自主申报"
    GRASSROOTS = "grassroots", "基层排查"
    DEPARTMENT_WARNING = "department_warning", "部门预警"
    DATA_COMPARISON = "data_comparison", "大数据比对"


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "待处理"
        IN_CASE = "in_case", "已并入案件"
        DISMISSED = "dismissed", "经核实排除"

    reference = models.CharField("线索编号", max_length=24, unique=True)
    channel = models.CharField("来源渠道", max_length=24, choices=Channel.choices)
    village = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="leads")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, related_name="leads"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, related_name="leads")
    subject_name = models.CharField("当事人姓名", max_length=64, blank=True)
    subject_id_number = EncryptedTextField("当事人身份证号码", blank=True, default="")
    subject_id_index = models.CharField(max_length=64, blank=True, db_index=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    summary = models.TextField("情况说明")
    rule = models.CharField("比对规则", max_length=64, blank=True)  # data comparison / department warnings
    department = models.CharField("来源部门", max_length=32, blank=True)
    evidence = models.JSONField("依据", default=dict)
    # Same rule, same person, same period → same key: re-running a comparison raises no duplicate.
    dedup_key = models.CharField(max_length=200, unique=True, null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="leads")
    received_at = models.DateTimeField("收到时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]


class Case(models.Model):
    """One application's way through the single procedure (workflow in `cases.workflow`)."""

    reference = models.CharField("案件编号", max_length=24, unique=True)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(max_length=32, default="accepted")
    version = models.PositiveIntegerField(default=1)
    accepted_on = models.DateField("受理日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
