"""Cases and their transitions: the workflow table, acceptance, the worklist and dashboard, a
case and a household's case history, the plain transitions, refusal and withdrawal."""

from __future__ import annotations

from typing import Literal

from ninja import Router, Status

from safetynet.api.auth import client_of
from safetynet.api.cases.render import case_out, detail_of, entitlement_out, get_case
from safetynet.api.cases.schemas import (
    AcceptIn,
    CaseAcceptedOut,
    CaseDetailOut,
    CaseListOut,
    DashboardOut,
    HouseholdCasesOut,
    TransitionName,
    VersionReasonIn,
    WorkflowOut,
)
from safetynet.api.schemas import ERRORS
from safetynet.cases import selectors, services, workflow, worklists
from safetynet.core import clock
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.registry import selectors as registry_selectors

router = Router(tags=["cases"], by_alias=True)


@router.get("/cases/workflow", response={200: WorkflowOut, **ERRORS}, summary="流程定义：状态与转换表")
def workflow_table(request):
    return {
        "states": [
            {"name": s.value, "label": workflow.STATE_LABELS[s], "final": s in workflow.FINAL}
            for s in workflow.State
        ],
        "transitions": workflow.transition_table(),
    }


@router.post(
    "/cases",
    response={200: CaseAcceptedOut, 201: CaseAcceptedOut, **ERRORS},
    summary="受理（或将线索并入该户在办案件）",
)
def accept_case(request, payload: AcceptIn):
    case, created = services.accept_case(
        user=request.auth,
        household=payload.household_id,
        lead_ids=payload.lead_ids,
        summary=payload.summary,
        applicant_phone=payload.applicant_phone,
        kind=payload.kind,
        client=client_of(request),
    )
    case = selectors.get_case(request.auth, case.pk)
    return Status(201 if created else 200, {**case_out(request.auth, case), "created": created})


@router.get("/cases", response={200: CaseListOut, **ERRORS}, summary="案件工作台（到期、超期、监测对象）")
def list_cases(
    request,
    state: str = "",
    due: Literal["", "soon", "overdue"] = "",
    township: str = "",
    monitoring: bool = False,
    include_closed: bool = False,
):
    rows = worklists.case_worklist(
        request.auth,
        state=state,
        due=due,
        township=township,
        monitoring=monitoring,
        include_closed=include_closed,
        today=clock.today(),
    )
    return {"items": [case_out(request.auth, r.case) for r in rows], "count": len(rows)}


@router.get(
    "/cases/dashboard", response={200: DashboardOut, **ERRORS}, summary="各乡镇在办、即将到期、超期案件数"
)
def dashboard(request):
    rows = worklists.deadline_board(request.auth, today=clock.today())
    return {"items": [{k: v for k, v in r.items() if k != "township"} for r in rows]}


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="案件详情及各环节记录")
def case_detail(request, case_id: int):
    return detail_of(request, case_id)


@router.get(
    "/households/{household_id}/cases", response={200: HouseholdCasesOut, **ERRORS}, summary="户的认定历史"
)
def household_cases(request, household_id: int):
    household = registry_selectors.get_household(request.auth, household_id)
    history = selectors.case_history(request.auth, household)
    status = entitlement_selectors.current_row(household, clock.today())
    return {
        "current_status": entitlement_out(status) if status else None,
        "cases": [case_out(request.auth, h["case"], detail=True) for h in history],
    }


@router.post(
    "/cases/{case_id}/transitions/{name}",
    response={200: CaseDetailOut, **ERRORS},
    summary="无需单独记录的转换：开始调查、提交核对、核对完成、结束公示、撤回",
)
def fire(request, case_id: int, name: TransitionName, payload: VersionReasonIn):
    services.transition_case(
        user=request.auth,
        case=get_case(request, case_id),
        name=name,
        expected_version=payload.version,
        reason=payload.reason,
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.post(
    "/cases/{case_id}/refuse",
    response={200: CaseDetailOut, **ERRORS},
    summary="不予认定（书面理由，生成告知书）",
)
def refuse(request, case_id: int, payload: VersionReasonIn):
    services.refuse_case(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        reason=payload.reason,
        client=client_of(request),
    )
    return detail_of(request, case_id)


@router.post("/cases/{case_id}/withdraw", response={200: CaseDetailOut, **ERRORS}, summary="申请人撤回")
def withdraw(request, case_id: int, payload: VersionReasonIn):
    services.withdraw_case(
        user=request.auth,
        case=get_case(request, case_id),
        expected_version=payload.version,
        reason=payload.reason,
        client=client_of(request),
    )
    return detail_of(request, case_id)
