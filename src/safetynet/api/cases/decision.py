"""The decision: the engine's proposal, the township's confirmation, the replayed explanation of
a decision, and the county leading group's referral decision."""

from __future__ import annotations

from ninja import Router

from safetynet.api.auth import client_of
from safetynet.api.cases.render import assessment_out, detail_of, get_case
from safetynet.api.cases.schemas import (
    AssessmentOut,
    CaseDetailOut,
    ChangeDecisionIn,
    DecisionIn,
    ExplanationOut,
    LeadingGroupIn,
    StopObjectionIn,
)
from safetynet.api.schemas import ERRORS
from safetynet.cases import selectors, services
from safetynet.core.errors import NotFound

router = Router(tags=["cases"], by_alias=True)


@router.post(
    "/cases/{case_id}/proposal",
    response={200: AssessmentOut, **ERRORS},
    summary="按当前户档案测算（审核确认建议）",
)
def make_proposal(request, case_id: int):
    return assessment_out(
        services.propose(user=request.auth, case=get_case(request, case_id), client=client_of(request))
    )


@router.get("/cases/{case_id}/proposal", response={200: AssessmentOut, **ERRORS}, summary="当前测算建议")
def get_proposal(request, case_id: int):
    a = selectors.current_proposal(get_case(request, case_id))
    if a is None:
        raise NotFound("尚未测算。", code="proposal_not_found")
    return assessment_out(a)


@router.post(
    "/cases/{case_id}/township-decision", response={200: CaseDetailOut, **ERRORS}, summary="乡镇审核确认"
)
def township_decision(request, case_id: int, payload: DecisionIn):
    services.record_township_decision(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        action=payload.action,
        assessment_id=payload.assessment_id,
        values=payload.values.model_dump() if payload.values else None,
        reason=payload.reason,
        panel=payload.panel,
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.get(
    "/cases/{case_id}/decisions/{decision_id}/explain",
    response={200: ExplanationOut, **ERRORS},
    summary="按冻结的输入与参数复算并解释决定",
)
def explain(request, case_id: int, decision_id: int):
    get_case(request, case_id)
    return selectors.explain_decision(user=request.auth, decision_id=decision_id)


@router.post(
    "/cases/{case_id}/leading-group-decision",
    response={200: CaseDetailOut, **ERRORS},
    summary="县领导小组认定其他低收入人口",
)
def leading_group(request, case_id: int, payload: LeadingGroupIn):
    services.record_leading_group_decision(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        approved=payload.approved,
        meeting=payload.meeting,
        opinion=payload.opinion,
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.post(
    "/cases/{case_id}/change-decision",
    response={200: CaseDetailOut, **ERRORS},
    summary="复核、变更、停发的乡镇审核确认",
)
def change_decision(request, case_id: int, payload: ChangeDecisionIn):
    services.decide_change(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        action=payload.action,
        values=payload.values.model_dump() if payload.values else None,
        reason=payload.reason,
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.post(
    "/cases/{case_id}/stop-objection", response={200: CaseDetailOut, **ERRORS}, summary="停发告知期内的申辩"
)
def stop_objection(request, case_id: int, payload: StopObjectionIn):
    services.record_stop_objection(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        content=payload.content,
        client=client_of(request),
    )
    return detail_of(request, case_id)
