"""Department data exchange and economic-status verification.

`POST /exchange/{source}/uploads` (multipart: `file`, optional `encoding` auto|utf-8|gbk, `format`
csv|xlsx|parquet, `valid_only`, `period` YYYY-MM): 201 when loaded, 200 when the same file was
loaded before (nothing changed), 422 when rejected, with every row error. Only department
liaisons (for their own sources) and administrators upload; liaisons see no households.
`POST /households/{id}/verification` runs a per-case verification for a household in reach.
"""

from __future__ import annotations

from django.http import FileResponse
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from safetynet.api.auth import client_of
from safetynet.api.schemas import ERRORS, MAX_LIMIT, ErrorOut
from safetynet.core.errors import NotFound
from safetynet.registry import selectors as registry_selectors
from safetynet.verification import selectors, services, storage
from safetynet.verification.report import verified_input
from safetynet.verification.sources import SOURCES

router = Router(tags=["exchange"])


class RowErrorOut(Schema):
    row: int | None = None
    column: str | None = None
    reason: str


class UploadOut(Schema):
    id: int
    source: str
    source_label: str
    status: str
    filename: str
    sha256: str
    size: int
    format: str
    encoding: str
    valid_only: bool
    period: str
    rows_total: int
    rows_loaded: int
    error_count: int
    message: str
    uploaded_at: str
    repeated: bool = False
    errors: list[RowErrorOut] = []


class UploadRejectedOut(ErrorOut):
    upload: UploadOut


class ColumnOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: dict[str, str]


class SourceOut(Schema):
    code: str
    label: str
    department: str
    kind: str
    description: str
    key: list[str]
    columns: list[ColumnOut]
    may_upload: bool


class VerificationIn(Schema):
    consent_confirmed: bool = False


def upload_out(u, *, repeated: bool = False, errors: bool = True) -> dict:
    return {
        "id": u.pk,
        "source": u.source,
        "source_label": u.source_label,
        "status": u.status,
        "filename": u.filename,
        "sha256": u.sha256,
        "size": u.size,
        "format": u.format,
        "encoding": u.encoding,
        "valid_only": u.valid_only,
        "period": u.period,
        "rows_total": u.rows_total,
        "rows_loaded": u.rows_loaded,
        "error_count": u.error_count,
        "message": u.message,
        "uploaded_at": u.uploaded_at.isoformat(),
        "repeated": repeated,
        "errors": [{k: e.get(k) for k in ("row", "column", "reason")} for e in u.errors] if errors else [],
    }


@router.get(
    "/exchange/sources", response={200: list[SourceOut], **ERRORS}, summary="数据交换的来源与文件格式"
)
def list_sources(request):
    mine = set(selectors.sources_of(request.auth))
    return [
        {
            "code": s.code,
            "label": s.label,
            "department": s.department,
            "kind": s.kind,
            "description": s.description,
            "key": list(s.key),
            "columns": [
                {
                    "name": c.name,
                    "label": c.label,
                    "kind": c.kind,
                    "required": c.required,
                    "choices": c.choices,
                }
                for c in s.columns
            ],
            "may_upload": s.code in mine,
        }
        for s in SOURCES.values()
    ]


@router.post(
    "/exchange/{source}/uploads",
    response={200: UploadOut, 201: UploadOut, 422: UploadRejectedOut, **ERRORS},
    summary="上传部门数据文件",
)
def upload(
    request,
    source: str,
    file: File[UploadedFile],
    encoding: Form[str] = "auto",
    format: Form[str] = "",
    valid_only: Form[bool] = False,
    period: Form[str] = "",
):
    outcome = services.upload_department_file(
        user=request.auth,
        source=source,
        file=file,
        filename=file.name,
        encoding=encoding,
        fmt=format or None,
        valid_only=valid_only,
        period=period or None,
        client=client_of(request),
    )
    u = outcome.upload
    body = upload_out(u, repeated=not outcome.created)
    if not u.loaded:
        code = (
            u.errors[0].get("code", "file_rejected")
            if u.errors and u.errors[0].get("row") is None
            else "file_rejected"
        )
        return Status(
            422, {"code": code or "file_rejected", "message": u.message, "field": "file", "upload": body}
        )
    return Status(201 if outcome.created else 200, body)


@router.get("/exchange/uploads", response={200: list[UploadOut], **ERRORS}, summary="上传记录")
def list_uploads(request, source: str = "", limit: int = Query(50, ge=1, le=MAX_LIMIT)):  # noqa: B008
    qs = selectors.uploads_visible_to(request.auth)
    if source:
        qs = qs.filter(source=source)
    return [upload_out(u, errors=False) for u in qs[:limit]]


@router.get(
    "/exchange/uploads/{upload_id}", response={200: UploadOut, **ERRORS}, summary="上传记录详情（含错误）"
)
def get_upload(request, upload_id: int):
    return upload_out(selectors.get_upload(request.auth, upload_id))


@router.get("/exchange/uploads/{upload_id}/errors.csv", response={404: ErrorOut}, summary="全部行错误（CSV）")
def upload_errors(request, upload_id: int):
    u = selectors.get_upload(request.auth, upload_id)
    if not u.errors_path:
        raise NotFound("该上传没有行错误。", code="no_errors")
    return FileResponse(
        open(storage.absolute(u.errors_path), "rb"), as_attachment=True, filename=f"upload-{u.pk}-errors.csv"
    )


@router.post(
    "/households/{household_id}/verification", response={201: dict, **ERRORS}, summary="经济状况核对"
)
def verify_household(request, household_id: int, payload: VerificationIn):
    household = registry_selectors.get_household(request.auth, household_id)
    report = services.request_verification(
        user=request.auth, household=household, consent=payload.consent_confirmed, client=client_of(request)
    )
    data, comparison = verified_input(household, report)
    return Status(201, {"report": report, "verified_input": data, "comparison": comparison})
