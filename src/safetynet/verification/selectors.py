"""Reads of the verification app. A liaison sees the uploads of the sources they may upload (and
nothing of the register); an administrator sees all; others see none. A get outside that reach is
the same not-found as a missing upload. Comparison runs (counts only, no personal data) are shown to
whoever may exchange data, each saying whether it was interrupted."""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from safetynet.accounts.roles import Perm, Role
from safetynet.core.errors import NotFound
from safetynet.registry import selectors as registry
from safetynet.verification import storage
from safetynet.verification.models import ComparisonRun, LiaisonSource, Upload, VerificationReport
from safetynet.verification.sources import SOURCES


def sources_of(user) -> list[str]:
    """The sources a user may upload."""
    if not user or not user.is_authenticated or not user.can(Perm.EXCHANGE_DATA):
        return []
    if user.role == Role.ADMIN:
        return list(SOURCES)
    return list(LiaisonSource.objects.filter(user=user).values_list("source", flat=True))


def uploads_visible_to(user) -> QuerySet[Upload]:
    if not user or not user.is_authenticated or not user.can(Perm.EXCHANGE_DATA):
        return Upload.objects.none()
    if user.role == Role.ADMIN:
        return Upload.objects.all()
    return Upload.objects.filter(source__in=sources_of(user))


def get_upload(user, pk) -> Upload:
    try:
        return uploads_visible_to(user).get(pk=int(pk))
    except (Upload.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该上传记录。", code="upload_not_found") from None


def reports_of(user, household) -> QuerySet[VerificationReport]:
    """Verification reports of a household the user can see; the household is re-fetched through
    the registry's scoping, so one outside the user's area is the same `NotFound` as a missing one."""
    household = registry.get_household(user, getattr(household, "pk", household))
    return VerificationReport.objects.filter(household=household).select_related("requested_by")


# ---- comparison runs --------------------------------------------------------------------------


def _stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "COMPARISON_STALE_SECONDS", 12 * 3600)))


def _process_gone(run: ComparisonRun) -> bool:
    """On the run's own host: its workspace lock is free, or its workspace is gone. (Elsewhere only
    the staleness bound can tell.)"""
    if run.host != socket.gethostname():
        return False
    if not run.workspace:
        return timezone.now() - run.started_at > dt.timedelta(seconds=storage.GRACE_SECONDS)
    try:
        fd = os.open(storage.absolute(run.workspace) / storage.LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        return storage.fcntl is not None and storage._try_lock(fd)
    finally:
        os.close(fd)


def run_is_interrupted(run: ComparisonRun) -> bool:
    """Marked interrupted, or still `running` though its process is gone or it has been running
    longer than `COMPARISON_STALE_SECONDS`."""
    if run.status == ComparisonRun.Status.INTERRUPTED:
        return True
    if run.status != ComparisonRun.Status.RUNNING:
        return False
    return timezone.now() - run.started_at > _stale_after() or _process_gone(run)


def comparison_runs(user, limit: int = 10) -> list[ComparisonRun]:
    """The latest comparison runs for the data-exchange page, each with `interrupted` set (a run
    that died is shown as interrupted even before the next start marks it)."""
    if not user or not user.is_authenticated or not user.can(Perm.EXCHANGE_DATA):
        return []
    runs = list(ComparisonRun.objects.order_by("-id")[:limit])
    for run in runs:
        run.interrupted = run_is_interrupted(run)
    return runs


def uploads_awaiting_comparison() -> list[Upload]:
    """Loaded uploads no finished comparison has read yet: neither a run of their own
    ("upload:<id>") nor a whole run (a command's or the nightly one) that started after them."""
    finished = ComparisonRun.objects.filter(status=ComparisonRun.Status.FINISHED)
    done = set(finished.filter(trigger__startswith="upload:").values_list("trigger", flat=True))
    whole = finished.exclude(trigger__startswith="upload:").order_by("-started_at").first()
    qs = Upload.objects.filter(status__in=["accepted", "partial"]).order_by("id")
    if whole is not None:
        qs = qs.filter(uploaded_at__gt=whole.started_at)
    return [u for u in qs if f"upload:{u.pk}" not in done]
