"""After the decision: objections raised while the notice is up, and the county's filing."""

from __future__ import annotations

from ninja import Router

from safetynet.api.auth import client_of
from safetynet.api.cases.render import detail_of, get_case
from safetynet.api.cases.schemas import CaseDetailOut, FilingIn, ObjectionIn
from safetynet.api.schemas import ERRORS
from safetynet.cases import services

router = Router(tags=["cases"], by_alias=True)


@router.post(
    "/cases/{case_id}/objections",
    response={200: CaseDetailOut, **ERRORS},
    summary="公示期内登记异议（退回重新调查）",
)
def objection(request, case_id: int, payload: ObjectionIn):
    services.record_objection(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        content=payload.content,
        raised_by=payload.raised_by,
        received_on=payload.received_on,
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.post(
    "/cases/{case_id}/county-filing", response={200: CaseDetailOut, **ERRORS}, summary="县级备案并录入建档"
)
def county_filing(request, case_id: int, payload: FilingIn):
    services.file_case(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        note=payload.note,
        client=client_of(request),
    )
    return detail_of(request, case_id)
