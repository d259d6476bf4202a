"""Stored parameter values entered by officers, and stored assessments (decisions' inputs).

Both are append-only in use: a new parameter value is a new dated row, never an edit; an
assessment keeps the exact inputs it saw, the rule-set version and the digest of the parameters
it used, so it can be recomputed and explained as it was made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ParameterEntry(models.Model):
    region = models.CharField("县级区划代码", max_length=6, db_index=True)
    name = models.CharField("参数名", max_length=80)
    value = models.JSONField("取值")  # a number as a string (Decimal), an integer, or an ISO date
    effective_from = models.DateField("生效日期")
    reference = models.CharField("依据文件及条款", max_length=300)
    verified = models.BooleanField("已与本县公布文件核对", default=False)
    note = models.CharField("说明", max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def as_policy_entry(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "effective_from": self.effective_from,
            "reference": self.reference,
            "verified": self.verified,
            "source": f"entry:{self.pk}",
            "note": self.note,
        }


class AssessmentRun(models.Model):
    """One batch re-assessment of a register."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    assessed_on = models.DateField()
    region = models.CharField(max_length=12)
    source = models.CharField(max_length=200)  # "database" or a Parquet path
    households = models.PositiveIntegerField(default=0)
    parameters_version = models.CharField(max_length=40)
    parameters_digest = models.CharField(max_length=64)
    rule_set_version = models.CharField(max_length=40)
    summary = models.JSONField(default=dict)


class Assessment(models.Model):
    # Found by the (household, -id) index below, which leads with it: no index of its own.
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="assessments", db_index=False
    )
    run = models.ForeignKey(AssessmentRun, on_delete=models.PROTECT, null=True, related_name="assessments")
    assessed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    category = models.CharField(max_length=16)
    monitoring_type = models.CharField(max_length=24, blank=True)
    family_size = models.PositiveSmallIntegerField()
    per_capita_monthly_income = models.DecimalField(max_digits=12, decimal_places=2)
    benefit_monthly = models.DecimalField(max_digits=12, decimal_places=2)
    refer_other_low_income = models.BooleanField(default=False)
    inputs = models.JSONField()  # the policy input exactly as assessed
    # Where `inputs` differ from the registry's declared facts: the verification report they were
    # built from and each field's declared and verified value, which was used and its provenance
    # ({"report", "requested_at", "sources", "comparison"}); {} when assessed on the declared facts.
    verification = models.JSONField(default=dict)
    result = models.JSONField(default=dict)  # full result (trace included) for single assessments
    unverified_parameters = models.JSONField(default=list)
    parameters_version = models.CharField(max_length=40)
    parameters_digest = models.CharField(max_length=64)
    rule_set_version = models.CharField(max_length=40)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["household", "-id"])]
