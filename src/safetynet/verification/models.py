"""Department uploads, which source each liaison may upload, comparison runs and per-case reports.

The rows of an accepted upload live in one Parquet file under `DATA_DIR/exchange/<source>/`, named
by the upload's content hash, keyed by the blind index of the resident ID; the database holds the
metadata. The per-upload data key that seals each row's resident ID and name is an
`EncryptedTextField` (envelope encryption under the field keys). No plaintext ID is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safetynet.registry.fields import EncryptedTextField
from safetynet.verification.sources import SOURCES

SOURCE_CHOICES = [(c, s.label) for c, s in SOURCES.items()]


class LiaisonSource(models.Model):
    """A department liaison may upload only the sources listed for them (an admin uploads any)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_sources"
    )
    source = models.CharField("数据来源", max_length=24, choices=SOURCE_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "source"], name="one_liaison_source")]


class Upload(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", "已入库"
        PARTIAL = "partial", "已入库（仅有效行）"
        REJECTED = "rejected", "已拒收"

    source = models.CharField("数据来源", max_length=24, choices=SOURCE_CHOICES)
    sha256 = models.CharField("文件内容哈希", max_length=64)
    filename = models.CharField("文件名", max_length=200)
    size = models.BigIntegerField("文件大小（字节）")
    format = models.CharField(max_length=8)
    encoding = models.CharField(max_length=8, blank=True)
    valid_only = models.BooleanField("仅导入有效行", default=False)
    status = models.CharField(max_length=16, choices=Status.choices)
    period = models.CharField("数据期别", max_length=7, blank=True)  # YYYY-MM
    as_of_min = models.DateField(null=True)
    as_of_max = models.DateField(null=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField("错误（前1000条）", default=list)
    message = models.CharField(max_length=500, blank=True)
    data_path = models.CharField(max_length=300, blank=True)  # relative to DATA_DIR
    errors_path = models.CharField(max_length=300, blank=True)
    data_key = EncryptedTextField(blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # Loaded once: the same bytes for the same source are never loaded twice.
            models.UniqueConstraint(
                fields=["source", "sha256"],
                condition=Q(status__in=["accepted", "partial"]),
                name="one_load_per_file",
            )
        ]
        indexes = [models.Index(fields=["source", "status", "period"])]

    @property
    def loaded(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.PARTIAL)

    @property
    def source_label(self) -> str:
        return SOURCES[self.source].label


class ComparisonRun(models.Model):
    """One register-wide comparison. A run whose process died (killed, power cut) stays `running`
    until the next start marks it `interrupted` (`verification.comparison.mark_interrupted_runs`);
    a rerun completes the work, raising no lead twice."""

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        FINISHED = "finished", "已完成"
        FAILED = "failed", "出错中止"
        INTERRUPTED = "interrupted", "已中断（进程已退出，未完成）"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    host = models.CharField(max_length=100, blank=True)  # where it runs: liveness is judged there
    pid = models.PositiveIntegerField(null=True)
    workspace = models.CharField(max_length=300, blank=True)  # relative to DATA_DIR; locked while alive
    message = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    engine = models.CharField(max_length=16)
    trigger = models.CharField(max_length=40)  # "command", "upload:<id>", "schedule"
    periods = models.JSONField(default=dict)  # source -> period used
    summary = models.JSONField(default=dict)  # rule -> {"hits", "raised", "existing", "unplaced"}
    leads_raised = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # The parameters the rules read: {"on", "version", "digest", "values": {name: value}} — the
    # parameter set's version and the digest of the values in force on the day of the run.
    parameters = models.JSONField("所用参数", default=dict)


class VerificationReport(models.Model):
    """One verification request for a household (or a case) and what it found, as it was found."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="verifications"
    )
    case_reference = models.CharField(max_length=24, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    uploads = models.JSONField(default=list)  # the upload ids whose rows were read
    report = models.JSONField()

    class Meta:
        ordering = ["-id"]
