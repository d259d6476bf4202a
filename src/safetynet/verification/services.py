"""Writes of the verification app: department uploads, liaison sources, the current department
records, and per-case verification reports.

- `upload_department_file(user=..., source=..., file=...)` checks and loads one department file
  (all or nothing, or only the valid rows), idempotent on the file's content hash, audited.
- `current_uploads()`: per source, the files of its latest period; a record sent again in a later
  file replaces the earlier one (`verification.current`), and the upload that does so is audited
  (`exchange.records_replaced`). The comparison lives in `verification.comparison`.
- `request_verification(user=, household=, consent=, case_reference=)` returns (and stores) the per-member, per-source
  report of what the departments hold; `verified_input(report)` turns it into the policy engine's
  household input with the verified values and their provenance.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm, Role
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.registry.fields import blind_index
from safetynet.verification import storage
from safetynet.verification.current import identity_text, replaced_by
from safetynet.verification.ingest import FileRejected, IngestResult, Sealer, duckdb_connect, ingest
from safetynet.verification.models import LiaisonSource, Upload, VerificationReport
from safetynet.verification.report import build_report, verified_input
from safetynet.verification.sources import SOURCES

logger = logging.getLogger(__name__)


# ---- who may upload what ------------------------------------------------------------------


def may_upload(user, source: str) -> bool:
    if not user or not user.is_authenticated or not user.can(Perm.EXCHANGE_DATA):
        return False
    if user.role == Role.ADMIN:
        return True
    return LiaisonSource.objects.filter(user=user, source=source).exists()


def assign_liaison_source(*, actor: Actor, user, source: str) -> LiaisonSource:
    """Allow a department liaison to upload one source (admin / command line)."""
    if source not in SOURCES:
        raise ValidationFailed(f"数据来源“{source}”不存在。", field="source")
    if user.role != Role.DEPT_LIAISON:
        raise ValidationFailed("只有部门数据联络员可以指定数据来源。", field="user")
    with transaction.atomic():
        link, created = LiaisonSource.objects.get_or_create(user=user, source=source)
        if created:
            record_audit(
                actor=actor,
                action="exchange.liaison_source",
                object_type="user",
                object_id=user.pk,
                changes={"source": [None, source]},
            )
    return link


# ---- uploads -------------------------------------------------------------------------------


@dataclass
class UploadOutcome:
    upload: Upload
    created: bool  # False: the same file was loaded before, nothing changed

    @property
    def loaded(self) -> bool:
        return self.upload.loaded


def _copy_and_hash(file, dest: Path, limit: int) -> tuple[str, int]:
    """Stream an uploaded file (Django `UploadedFile`, a path, or a binary file object) to `dest`
    while hashing it; stop as soon as it exceeds `limit` bytes."""
    digest, size = hashlib.sha256(), 0
    if isinstance(file, str | Path):
        src = open(file, "rb")
        chunks = iter(lambda: src.read(1 << 20), b"")
    elif hasattr(file, "chunks"):
        src = None
        chunks = file.chunks(1 << 20)
    else:
        src = None
        chunks = iter(lambda: file.read(1 << 20), b"")
    try:
        with open(dest, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise FileRejected(_too_large(limit), code="file_too_large", field="file")
                digest.update(chunk)
                out.write(chunk)
    finally:
        if src is not None:
            src.close()
    return digest.hexdigest(), size


def _too_large(limit: int) -> str:
    return (
        f"文件超过大小上限 {limit / 1024**2:,.0f} MB。请按乡镇或月份拆分后分别上传，"
        "或请管理员调整 SAFETYNET_EXCHANGE_MAX_BYTES。"
    )


def _period_of(declared: str | None, result: IngestResult) -> str:
    if declared:
        try:
            dt.date.fromisoformat(f"{declared}-01")
        except ValueError:
            raise ValidationFailed("数据期别应为 YYYY-MM。", field="period") from None
        return declared
    return result.as_of_max.strftime("%Y-%m") if result.as_of_max else ""


def upload_department_file(
    *,
    user,
    source: str,
    file,
    filename: str = "",
    encoding: str = "auto",
    fmt: str | None = None,
    valid_only: bool = False,
    period: str | None = None,
    client: str = "",
    on_loaded: Callable[[Upload], None] | None = None,
) -> UploadOutcome:
    """Check and load one department file. A file with any error is rejected whole (status
    `rejected`, nothing loaded, every error recorded) unless `valid_only`, which loads the valid
    rows (status `partial`). The same bytes for the same source load once; again, nothing changes.
    File-level problems (size, encoding, header) are recorded and audited as rejections too."""
    if source not in SOURCES:
        raise NotFound(f"数据来源“{source}”不存在。", code="source_not_found", field="source")
    if not may_upload(user, source):
        raise PermissionDenied(f"您无权上传“{SOURCES[source].label}”数据。", field="source")
    actor = Actor.of(user, client)
    filename = (filename or getattr(file, "name", "") or "upload")[-200:]
    try:
        # Everything of this upload lives in one private workspace, removed when it ends however it
        # ends; the framework's temporary copy goes as soon as it is copied.
        with storage.workspace("upload") as work:
            return _load(
                actor, user, source, file, filename, work, encoding, fmt, valid_only, period, on_loaded
            )
    finally:
        storage.discard_framework_temp(file)


def _load(actor, user, source, file, filename, work, encoding, fmt, valid_only, period, on_loaded):
    size_hint = getattr(file, "size", None)
    limit = storage.max_bytes()
    raw_path, staged = work / "upload.raw", work / "staged.parquet"
    errors_tmp = work / "errors.csv"
    try:
        if size_hint is not None and size_hint > limit:
            raise FileRejected(_too_large(limit), code="file_too_large", field="file")
        sha, size = _copy_and_hash(file, storage.private_file(raw_path), limit)
    except FileRejected as e:
        raw_path.unlink(missing_ok=True)
        return UploadOutcome(
            _record_rejection(actor, user, source, filename, size_hint or 0, "", valid_only, e), True
        )
    finally:
        storage.discard_framework_temp(file)

    existing = Upload.objects.filter(source=source, sha256=sha, status__in=["accepted", "partial"]).first()
    if existing:
        raw_path.unlink(missing_ok=True)
        record_audit(
            actor=actor,
            action="exchange.upload_repeated",
            object_type="upload",
            object_id=existing.pk,
            changes={"source": source, "sha256": sha},
            reason="同一文件已入库，未作任何更改",
        )
        return UploadOutcome(existing, False)

    key = Sealer.new_key()
    try:
        result = ingest(
            raw_path,
            SOURCES[source],
            staged=storage.private_file(staged),
            errors_csv=storage.private_file(errors_tmp),
            sha=sha,
            sealer=Sealer(key),
            index=blind_index,
            fmt=fmt or None,
            filename=filename,
            encoding=encoding,
            valid_only=valid_only,
            today=timezone.localdate(),
            chunk_rows=storage.chunk_rows(),
            memory_limit=storage.memory_limit(),
            temp_dir=work,
        )
    except FileRejected as e:
        return UploadOutcome(_record_rejection(actor, user, source, filename, size, sha, valid_only, e), True)
    finally:
        raw_path.unlink(missing_ok=True)  # the raw file, with plaintext IDs, is never kept

    ok = result.error_count == 0 and result.rows_valid > 0
    partial = not ok and valid_only and result.rows_valid > 0
    status = Upload.Status.ACCEPTED if ok else Upload.Status.PARTIAL if partial else Upload.Status.REJECTED
    loaded = status != Upload.Status.REJECTED
    data_period = _period_of(period, result) if loaded else ""
    replaced = _replaced(source, data_period, staged, work) if loaded else {}
    if status == Upload.Status.REJECTED:
        message = f"文件有{result.error_count}处错误（涉及{result.bad_rows}行），已整体拒收，未导入任何数据。"
        if result.rows_valid:
            message += "可修正后重新上传，或选择“仅导入有效行”。"
    elif status == Upload.Status.PARTIAL:
        message = f"已导入有效行{result.rows_valid}行；{result.bad_rows}行有错误未导入（共{result.error_count}处错误）。"
    else:
        message = f"已导入{result.rows_valid}行。"
    if replaced:
        message += (
            f"其中{sum(replaced.values())}行是本期（{data_period}）此前已上传的同一记录"
            f"（{identity_text(SOURCES[source])}相同），以本次为准替换，不重复计算。"
        )
    final = storage.sub(source) / f"{sha}.parquet"
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                source=source,
                sha256=sha,
                filename=filename,
                size=size,
                format=result.format,
                encoding=result.encoding or "",
                valid_only=valid_only,
                status=status,
                period=data_period,
                as_of_min=result.as_of_min,
                as_of_max=result.as_of_max,
                rows_total=result.rows_total,
                rows_loaded=result.rows_valid if loaded else 0,
                error_count=result.error_count,
                errors=[e.as_dict() for e in result.errors],
                message=message[:500],
                data_path=storage.relative(final) if loaded else "",
                data_key=base64.b64encode(key).decode() if loaded else "",
                uploaded_by=user,
            )
            errors_final = storage.sub("errors") / f"{upload.pk}.csv"
            if result.error_count:
                shutil.move(errors_tmp, errors_final)
                os.chmod(errors_final, 0o600)
                upload.errors_path = storage.relative(errors_final)
                upload.save(update_fields=["errors_path"])
            if loaded:
                os.replace(staged, final)
                os.chmod(final, 0o600)
            record_audit(
                actor=actor,
                action="exchange.upload",
                object_type="upload",
                object_id=upload.pk,
                changes={
                    "source": source,
                    "sha256": sha,
                    "status": status,
                    "rows_total": result.rows_total,
                    "rows_loaded": upload.rows_loaded,
                    "errors": result.error_count,
                    "period": upload.period,
                },
            )
            if replaced:
                record_audit(
                    actor=actor,
                    action="exchange.records_replaced",
                    object_type="upload",
                    object_id=upload.pk,
                    changes={
                        "source": source,
                        "period": data_period,
                        "replaced": sum(replaced.values()),
                        "from_uploads": {str(k): v for k, v in replaced.items()},
                    },
                    reason="同一身份的记录再次上传，以最后上传的为准",
                )
            if upload.loaded:
                if on_loaded is not None:
                    transaction.on_commit(lambda: on_loaded(upload))
    except IntegrityError:
        existing = Upload.objects.filter(
            source=source, sha256=sha, status__in=["accepted", "partial"]
        ).first()
        if existing:  # the same file, loaded concurrently
            return UploadOutcome(existing, False)
        raise
    except BaseException:
        if loaded:
            final.unlink(missing_ok=True)
        raise
    return UploadOutcome(upload, True)


def _replaced(source: str, period: str, staged: Path, work: Path) -> dict[int, int]:
    """Per earlier upload of the same source and period, how many of its current records the
    staged rows replace (`verification.current`)."""
    earlier = list(
        Upload.objects.filter(source=source, period=period, status__in=["accepted", "partial"]).order_by("id")
    )
    if not earlier:
        return {}
    con = duckdb_connect(memory_limit=storage.memory_limit(), temp_dir=work / "duckdb-tmp")
    try:
        counts = replaced_by(con, SOURCES[source], [storage.absolute(u.data_path) for u in earlier], staged)
    finally:
        con.close()
    by_sha = {u.sha256: u.pk for u in earlier}
    return {by_sha[sha]: n for sha, n in sorted(counts.items(), key=lambda kv: by_sha[kv[0]])}


def _record_rejection(actor, user, source, filename, size, sha, valid_only, error: FileRejected) -> Upload:
    with transaction.atomic():
        upload = Upload.objects.create(
            source=source,
            sha256=sha or "-",
            filename=filename,
            size=size,
            format="",
            valid_only=valid_only,
            status=Upload.Status.REJECTED,
            error_count=1,
            errors=[{"row": None, "column": error.field, "reason": error.message, "code": error.code}],
            message=error.message,
            uploaded_by=user,
        )
        record_audit(
            actor=actor,
            action="exchange.upload",
            object_type="upload",
            object_id=upload.pk,
            changes={"source": source, "sha256": sha, "status": "rejected", "code": error.code},
            reason=error.message,
        )
    return upload


# ---- current data --------------------------------------------------------------------------


def current_uploads() -> dict[str, list[Upload]]:
    """Per source, the loaded uploads of its latest data period, oldest first. A period may come
    in several files; readers keep one record per identity, the one sent last
    (`verification.current`)."""
    out: dict[str, list[Upload]] = {}
    for code in SOURCES:
        loaded = Upload.objects.filter(source=code, status__in=["accepted", "partial"]).exclude(period="")
        latest = loaded.order_by("-period").values_list("period", flat=True).first()
        if latest:
            out[code] = list(loaded.filter(period=latest).order_by("id"))
    return out


def sealer_for(upload: Upload) -> Sealer:
    return Sealer(base64.b64decode(upload.data_key))


# ---- per-case verification ----------------------------------------------------------------


def request_verification(
    *, user, household, consent: bool, case_reference: str = "", client: str = ""
) -> dict:
    """经济状况核对 of one household: query every source for every current member and return the
    report (also stored, and audited). The legal basis is the family's signed 承诺授权书: the caller
    says it is on file (`consent`; the procedure checks the uploaded letter of its case, the household
    page asks the clerk to confirm it). `case_reference` ties the report to a case of the procedure.
    One permission: `verify`; the household is fetched through the user's reach (outside: 404)."""
    from safetynet.registry import selectors

    if not user.can(Perm.VERIFY):
        raise PermissionDenied("您无权发起经济状况核对。")
    household = selectors.get_household(user, getattr(household, "pk", household))
    if not consent:
        raise ValidationFailed("请确认该户已签署承诺授权书。", field="consent", code="no_consent")
    report = build_report(household, current_uploads(), sealer_for=sealer_for)
    report["case"] = case_reference
    with transaction.atomic():
        stored = VerificationReport.objects.create(
            household=household,
            case_reference=case_reference,
            requested_by=user,
            uploads=report["uploads"],
            report=report,
        )
        record_audit(
            actor=Actor.of(user, client),
            action="verification.request",
            object_type="household",
            object_id=household.pk,
            changes={"report": stored.pk, "case": case_reference, "sources": sorted(report["sources"])},
        )
    report["id"] = stored.pk
    return report


__all__ = [
    "assign_liaison_source",
    "current_uploads",
    "may_upload",
    "request_verification",
    "upload_department_file",
    "verified_input",
]
