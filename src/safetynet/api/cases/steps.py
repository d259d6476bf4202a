"""The steps that record something on a case before the decision: the household investigation,
the uploaded materials, the economic verification (entered by hand or requested from the
departments) and the village review."""

from __future__ import annotations

from typing import Literal

from django.http import FileResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from safetynet.api.auth import client_of
from safetynet.api.cases.render import detail_of, get_case
from safetynet.api.cases.schemas import (
    AttachmentOut,
    CaseDetailOut,
    InvestigationIn,
    ResultsIn,
    VerificationRequestedOut,
    VersionIn,
    VillageReviewIn,
)
from safetynet.api.schemas import ERRORS
from safetynet.cases import selectors, services

router = Router(tags=["cases"], by_alias=True)

FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "材料文件（PDF/JPG/PNG）",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


@router.post(
    "/cases/{case_id}/investigation", response={200: CaseDetailOut, **ERRORS}, summary="入户调查记录"
)
def investigation(request, case_id: int, payload: InvestigationIn):
    members = [{k: v for k, v in m.model_dump().items() if v is not None} for m in payload.members]
    services.record_investigation(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        visited_on=payload.visited_on,
        investigators=payload.investigators,
        members=members,
        household_facts=payload.household_facts,
        hardship_causes=payload.hardship_causes,
        risk=payload.risk,
        living_conditions=payload.living_conditions,
        notes=payload.notes,
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="上传承诺授权书或民主评议签字记录（PDF/JPG/PNG，≤10MB）",
)
def upload(
    request,
    case_id: int,
    kind: Form[Literal["consent", "village_review_record", "other"]],
    file: File[UploadedFile],
    version: Form[int | None] = None,
):
    row = services.upload_attachment(
        user=request.auth,
        case=get_case(request, case_id),
        kind=kind,
        upload=file,
        expected_version=version,
        client=client_of(request),
    )
    case = get_case(request, case_id)
    return Status(
        201,
        {
            "id": row.pk,
            "kind": row.kind,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
            "version": case.version,
        },
    )


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    response=ERRORS,
    openapi_extra=FILE_RESPONSE,
    summary="下载材料",
)
def download(request, case_id: int, attachment_id: int):
    get_case(request, case_id)  # outside the area: the case is not found (before its materials)
    row = selectors.get_attachment(request.auth, case_id, attachment_id)
    return FileResponse(
        row.file.open("rb"),
        content_type=row.content_type,
        as_attachment=True,
        filename=row.file.name.rsplit("/", 1)[-1],
    )


@router.post(
    "/cases/{case_id}/verification-results",
    response={200: CaseDetailOut, **ERRORS},
    summary="录入每名成员的经济状况核对结果（人工）",
)
def verification_results(request, case_id: int, payload: ResultsIn):
    services.record_verification_results(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        results=[r.model_dump() for r in payload.results],
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.post(
    "/cases/{case_id}/verification-requests",
    response={201: VerificationRequestedOut, **ERRORS},
    summary="发起经济状况核对（查询部门数据，结果自动记入每名成员）",
)
def verification_request(request, case_id: int, payload: VersionIn):
    out = services.request_case_verification(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        client=client_of(request),
    )
    return Status(
        201,
        {
            **detail_of(request, case_id),
            "report": out["report"],
            "comparison": out["comparison"],
        },
    )


@router.post(
    "/cases/{case_id}/village-review", response={200: CaseDetailOut, **ERRORS}, summary="民主评议记录"
)
def village_review(request, case_id: int, payload: VillageReviewIn):
    data = payload.model_dump()
    version = data.pop("version")
    services.record_village_review(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=version,
        client=client_of(request),
        **data,
    )
    return detail_of(request, case_id)
