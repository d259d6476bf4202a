"""Leads and the single procedure: `/api/v1/leads…`, `/api/v1/cases…`, `/api/v1/inbox`.

A shell over `cases.services` and `cases.selectors`: parse, call, render. A case outside the
caller's area is a 404 exactly like a missing one; a stale `version` is a 409 `stale_version`;
a guard that refuses is a 400 whose `code` says which (`consent_missing`, `notice_too_short`…).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from safetynet.api.auth import client_of
from safetynet.api.schemas import ERRORS, In
from safetynet.cases import selectors, services, workflow
from safetynet.cases.models import Attachment, Case, Channel, Lead
from safetynet.core.errors import Conflict, NotFound
from safetynet.core.masking import mask_name
from safetynet.registry import selectors as registry_selectors

router = Router(tags=["cases"])

ChannelChoice = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
TransitionName = Literal[tuple(t.name for t in workflow.TRANSITIONS if not t.internal)]  # type: ignore[valid-type]


# ---- rendering ------------------------------------------------------------------------------


def _area(a) -> dict | None:
    return {"code": a.code, "name": a.name} if a else None


def lead_out(lead: Lead, days_since: int | None = None) -> dict:
    return {
        "id": lead.pk,
        "reference": lead.reference,
        "channel": lead.channel,
        "channel_label": Channel(lead.channel).label,
        "village": _area(lead.village),
        "household_id": lead.household_id,
        "case_id": lead.case_id,
        "subject_name": mask_name(lead.subject_name),
        "summary": lead.summary,
        "department": lead.department,
        "rule": lead.rule,
        "status": lead.status,
        "received_at": lead.received_at,
        "days_since": days_since,
    }


def _allowed(user, case: Case) -> list[str]:
    return [t.name for t in workflow.available(case.state) if user.can(t.perm)]


def case_out(user, case: Case, *, detail: bool = False) -> dict:
    k = selectors.clock(case, services.today())
    out = {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "state_label": workflow.STATE_LABELS[workflow.State(case.state)],
        "version": case.version,
        "round": case.round,
        "household_id": case.household_id,
        "village": _area(case.household.village),
        "township": _area(case.household.village.parent),
        "applicant_name": mask_name(case.applicant_name),
        "accepted_on": case.accepted_on,
        "deadline": case.deadline,
        "deadline_provisional": case.deadline_provisional,
        "extended": case.extended,
        "remaining_working_days": k.remaining,
        "due_soon": k.due_soon,
        "overdue": k.overdue,
        "closed_on": case.closed_on,
        "allowed_transitions": _allowed(user, case) if case.is_open else [],
    }
    if detail:
        out["records"] = case_records(case)
    return out


def case_records(case: Case) -> dict:
    def money(v):
        return str(v)

    decision_rows = []
    for d in case.decisions.all():
        decision_rows.append(
            {
                "id": d.pk,
                "round": d.round,
                "outcome": d.outcome,
                "overridden": d.overridden,
                "override_reason": d.override_reason,
                "category": d.category,
                "monitoring_marked": d.monitoring_marked,
                "monitoring_type": d.monitoring_type,
                "benefit_monthly": money(d.benefit_monthly),
                "members": [{**m, "name": mask_name(m.get("name", ""))} for m in d.members],
                "publishes": d.publishes,
                "assessment_id": d.assessment_id,
                "parameters_version": d.parameters_version,
                "parameters_digest": d.parameters_digest,
                "rule_set_version": d.rule_set_version,
                "proposal": d.proposal.get("_proposal"),
                "verification": d.verification,
                "decided_on": d.decided_on,
            }
        )
    letter = getattr(case, "refusal_letter", None) if hasattr(case, "refusal_letter") else None
    return {
        "leads": [lead_out(x) for x in case.leads.all()],
        "transitions": [
            {
                "name": t.name,
                "from": t.from_state,
                "to": t.to_state,
                "round": t.round,
                "actor": t.actor_name,
                "role": t.actor_role,
                "on": t.on,
                "at": t.at,
                "reason": t.reason,
            }
            for t in case.transitions.all()
        ],
        "attachments": [
            {
                "id": a.pk,
                "kind": a.kind,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "round": a.round,
                "uploaded_at": a.uploaded_at,
            }
            for a in case.attachments.all()
        ],
        "investigations": [
            {
                "id": i.pk,
                "round": i.round,
                "visited_on": i.visited_on,
                "investigators": i.investigators,
                "hardship_causes": i.hardship_causes,
                "risk": i.risk,
                "members": len(i.members),
                "notes": i.notes,
            }
            for i in case.investigations.all()
        ],
        "verification_results": [
            {
                "id": v.pk,
                "round": v.round,
                "person_id": v.person_id,
                "outcome": v.outcome,
                "sources": v.sources,
                "summary": v.summary,
                "origin": v.origin,
                "external_ref": v.external_ref,
            }
            # the current result per member and round; superseded ones stay in the database
            for v in case.verification_results.filter(superseded_by__isnull=True)
        ],
        "village_reviews": [
            {
                "id": r.pk,
                "round": r.round,
                "held_on": r.held_on,
                "attendee_count": r.attendee_count,
                "votes_for": r.votes_for,
                "votes_against": r.votes_against,
                "abstentions": r.abstentions,
                "result": r.result,
                "qualifies": r.qualifies,
                "record_id": r.record_id,
            }
            for r in case.village_reviews.all()
        ],
        "decisions": decision_rows,
        "leading_group_decisions": [
            {
                "id": g.pk,
                "round": g.round,
                "approved": g.approved,
                "meeting": g.meeting,
                "opinion": g.opinion,
                "decided_on": g.decided_on,
            }
            for g in case.leading_group_decisions.all()
        ],
        "notices": [
            {
                "id": n.pk,
                "round": n.round,
                "starts_on": n.starts_on,
                "earliest_close": n.earliest_close,
                "min_days": n.min_days,
                "status": n.status,
                "closed_on": n.closed_on,
                "entries": n.entries,
            }
            for n in case.notices.all()
        ],
        "objections": [
            {"id": o.pk, "received_on": o.received_on, "content": o.content} for o in case.objections.all()
        ],
        "extensions": [
            {"id": e.pk, "status": e.status, "reason": e.reason, "new_deadline": e.new_deadline}
            for e in case.extensions.all()
        ],
        "refusal_letter": (
            {
                "step": letter.step,
                "reason": letter.reason,
                "issued_on": letter.issued_on,
                "explain_by": letter.explain_by,
                "explain_by_provisional": letter.explain_by_provisional,
                "text": letter.text,
            }
            if letter
            else None
        ),
        "statuses": [
            {
                "category": s.category,
                "monitoring_marked": s.monitoring_marked,
                "monitoring_type": s.monitoring_type,
                "benefit_monthly": money(s.benefit_monthly),
                "approved_on": s.approved_on,
                "effective_month": s.effective_month,
                "current": s.current,
            }
            for s in case.statuses.all()
        ],
        "messages": [message_out(m) for m in case.messages.all()],
    }


def message_out(m) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "recipient": mask_name(m.recipient_name),
        "body": m.body,
        "status": m.status,
        "channel": m.channel,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
    }


def _case(request, case_id) -> Case:
    return selectors.get_case(request.auth, case_id)


def _detail(request, case_id) -> dict:
    return case_out(request.auth, _case(request, case_id), detail=True)


# ---- schemas --------------------------------------------------------------------------------


class LeadIn(In):
    channel: ChannelChoice
    village: str = Field(..., pattern=r"^\d{12}$")
    summary: str = Field(..., description="情况说明")
    household_id: int | None = Field(None, description="已建档户（机构用户）")
    subject_name: str = ""
    subject_id_number: str = Field("", description="当事人身份证号码：按盲索引匹配计入该人的户")
    contact_phone: str = ""
    department: str = ""
    rule: str = Field("", description="比对或预警规则")
    evidence: dict = Field(default_factory=dict)
    dedup_key: str | None = Field(None, description="同一规则、同一人、同一期间使用同一键：重复提交不再新增")


class ReasonIn(In):
    reason: str


class VersionReasonIn(In):
    version: int = Field(..., description="读取时的案件版本号（乐观锁）")
    reason: str = ""


class AcceptIn(In):
    household_id: int
    lead_ids: list[int] = Field(default_factory=list)
    summary: str = ""
    applicant_phone: str = ""


class MemberFactsIn(In):
    membership_id: int
    income_wage_12m: str | None = None
    income_business_12m: str | None = None
    income_property_12m: str | None = None
    income_transfer_12m: str | None = None
    income_excluded_12m: str | None = None
    disability_kind: str | None = None
    disability_grade: int | None = None
    major_illness: bool | None = None
    fulltime_education: bool | None = None
    labour_capacity: str | None = None
    self_care_failed: list[str] | None = None
    notes: str = ""


class InvestigationIn(In):
    version: int
    visited_on: dt.date
    investigators: str
    members: list[MemberFactsIn] = Field(default_factory=list)
    household_facts: dict = Field(
        default_factory=dict, description="金融资产、车辆、住房、刚性支出、赡养人等"
    )
    hardship_causes: list[str]
    risk: list[str] = Field(default_factory=list)
    living_conditions: str = ""
    notes: str = ""


class ResultIn(In):
    person_id: int | None = None
    id_number: str | None = None
    outcome: Literal["consistent", "discrepancy", "no_data"]
    sources: dict = Field(default_factory=dict)
    summary: str = ""


class ResultsIn(In):
    version: int | None = None
    results: list[ResultIn]


class VersionIn(In):
    version: int | None = Field(None, description="读取时的案件版本号（乐观锁，可省略）")


class VillageReviewIn(In):
    version: int
    held_on: dt.date
    attendees: str
    attendee_count: int
    votes_for: int
    votes_against: int
    abstentions: int = 0
    record_id: int = Field(
        ..., description="已上传的民主评议签字记录（attachments, kind=village_review_record）"
    )
    notes: str = ""


class DecisionMemberIn(In):
    person_id: int
    category: Literal["individual_dibao", "tekun"]
    benefit_monthly: str = "0"


class DecisionValuesIn(In):
    category: Literal["tekun", "dibao", "dibao_edge", "rigid_hardship", "other_low_income", "none"]
    monitoring_marked: bool = False
    monitoring_type: Literal["", "unstable_alleviated", "edge_prone", "sudden_hardship"] = ""
    benefit_monthly: str = "0"
    members: list[DecisionMemberIn] = Field(default_factory=list)


class DecisionIn(In):
    version: int
    action: Literal["confirm", "override", "refuse"]
    assessment_id: int | None = Field(None, description="所依据的测算（默认为当前测算）")
    values: DecisionValuesIn | None = None
    reason: str = ""
    panel: str = Field("", description="参会审核确认小组成员")


class LeadingGroupIn(In):
    version: int
    approved: bool
    meeting: str
    opinion: str


class ObjectionIn(In):
    version: int
    content: str
    raised_by: str = ""
    received_on: dt.date | None = None


class FilingIn(In):
    version: int
    note: str = ""


class ExtensionDecisionIn(In):
    approve: bool
    note: str = ""
    version: int | None = None


Out = dict  # plain JSON objects built by the renderers above


# ---- leads ----------------------------------------------------------------------------------


@router.post(
    "/leads",
    response={200: Out, 201: Out, **ERRORS},
    summary="登记线索（部门预警、大数据比对、基层排查、窗口申报）",
)
def create_lead(request, payload: LeadIn):
    lead, created = services.file_lead(
        user=request.auth,
        client=client_of(request),
        channel=payload.channel,
        village_code=payload.village,
        summary=payload.summary,
        household_id=payload.household_id,
        subject_name=payload.subject_name,
        subject_id_number=payload.subject_id_number,
        contact_phone=payload.contact_phone,
        department=payload.department,
        rule=payload.rule,
        evidence=payload.evidence,
        dedup_key=payload.dedup_key,
    )
    if not created and not selectors.leads_visible_to(request.auth).filter(pk=lead.pk).exists():
        # The key is global; the lead that holds it may lie outside the caller's reach, and then
        # nothing of it (summary, village, reference) may be shown.
        raise Conflict(
            "相同去重键的线索已由其他单位登记，未重复登记。", code="duplicate_lead", field="dedup_key"
        )
    return Status(201 if created else 200, {**lead_out(lead), "created": created})


@router.post("/leads/import", response={200: Out, **ERRORS}, summary="以CSV文件导入线索")
def import_leads(request, channel: Form[ChannelChoice], file: File[UploadedFile], department: Form[str] = ""):
    if file.size > 20 * 1024 * 1024:
        from safetynet.core.errors import ValidationFailed

        raise ValidationFailed("文件不能超过20MB。", field="file")
    return services.import_leads(
        user=request.auth, channel=channel, data=file.read(), department=department, client=client_of(request)
    )


@router.get("/leads", response={200: Out, **ERRORS}, summary="线索工作台：新线索及收到天数")
def list_leads(request, status: str = "new", township: str = ""):
    rows = selectors.lead_worklist(request.auth, township=township, status=status, today=services.today())
    return {"items": [lead_out(r.lead, r.days_since) for r in rows], "count": len(rows)}


@router.post("/leads/{lead_id}/dismiss", response={200: Out, **ERRORS}, summary="经核实排除线索")
def dismiss_lead(request, lead_id: int, payload: ReasonIn):
    lead = selectors.get_lead(request.auth, lead_id)
    return lead_out(
        services.dismiss_lead(user=request.auth, lead=lead, reason=payload.reason, client=client_of(request))
    )


# ---- cases: lists -----------------------------------------------------------------------------


@router.get("/cases/workflow", response={200: Out, **ERRORS}, summary="流程定义：状态与转换表")
def workflow_table(request):
    return {
        "states": [
            {"name": s.value, "label": workflow.STATE_LABELS[s], "final": s in workflow.FINAL}
            for s in workflow.State
        ],
        "transitions": workflow.transition_table(),
    }


@router.post("/cases", response={200: Out, 201: Out, **ERRORS}, summary="受理（或将线索并入该户在办案件）")
def accept_case(request, payload: AcceptIn):
    case, created = services.accept_case(
        user=request.auth,
        household=payload.household_id,
        lead_ids=payload.lead_ids,
        summary=payload.summary,
        applicant_phone=payload.applicant_phone,
        client=client_of(request),
    )
    case = selectors.get_case(request.auth, case.pk)
    return Status(201 if created else 200, {**case_out(request.auth, case), "created": created})


@router.get("/cases", response={200: Out, **ERRORS}, summary="案件工作台（到期、超期、监测对象）")
def list_cases(
    request,
    state: str = "",
    due: Literal["", "soon", "overdue"] = "",
    township: str = "",
    monitoring: bool = False,
    include_closed: bool = False,
):
    rows = selectors.case_worklist(
        request.auth,
        state=state,
        due=due,
        township=township,
        monitoring=monitoring,
        include_closed=include_closed,
        today=services.today(),
    )
    return {"items": [case_out(request.auth, r.case) for r in rows], "count": len(rows)}


@router.get("/cases/dashboard", response={200: Out, **ERRORS}, summary="各乡镇在办、即将到期、超期案件数")
def dashboard(request):
    rows = selectors.overdue_by_township(request.auth, today=services.today())
    return {"items": [{k: v for k, v in r.items() if k != "township"} for r in rows]}


@router.get("/cases/{case_id}", response={200: Out, **ERRORS}, summary="案件详情及各环节记录")
def case_detail(request, case_id: int):
    return _detail(request, case_id)


@router.get("/households/{household_id}/cases", response={200: Out, **ERRORS}, summary="户的认定历史")
def household_cases(request, household_id: int):
    household = registry_selectors.get_household(request.auth, household_id)
    history = selectors.case_history(request.auth, household)
    status = selectors.current_status(household)
    return {
        "current_status": (
            {
                "category": status.category,
                "monitoring_marked": status.monitoring_marked,
                "monitoring_type": status.monitoring_type,
                "benefit_monthly": str(status.benefit_monthly),
                "effective_month": status.effective_month,
                "case_id": status.case_id,
            }
            if status
            else None
        ),
        "cases": [case_out(request.auth, h["case"], detail=True) for h in history],
    }


# ---- cases: steps -----------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/transitions/{name}",
    response={200: Out, **ERRORS},
    summary="无需单独记录的转换：开始调查、提交核对、核对完成、结束公示、撤回",
)
def fire(request, case_id: int, name: TransitionName, payload: VersionReasonIn):
    services.transition_case(
        user=request.auth,
        case=_case(request, case_id),
        name=name,
        expected_version=payload.version,
        reason=payload.reason,
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.post("/cases/{case_id}/investigation", response={200: Out, **ERRORS}, summary="入户调查记录")
def investigation(request, case_id: int, payload: InvestigationIn):
    members = [{k: v for k, v in m.model_dump().items() if v is not None} for m in payload.members]
    services.record_investigation(
        user=request.auth,
        case=_case(request, case_id),
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
    return _detail(request, case_id)


@router.post(
    "/cases/{case_id}/attachments",
    response={201: Out, **ERRORS},
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
        case=_case(request, case_id),
        kind=kind,
        upload=file,
        expected_version=version,
        client=client_of(request),
    )
    case = _case(request, case_id)
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


@router.get("/cases/{case_id}/attachments/{attachment_id}", response={200: Any, **ERRORS}, summary="下载材料")
def download(request, case_id: int, attachment_id: int):
    case = _case(request, case_id)
    row = Attachment.objects.filter(pk=attachment_id, case=case).first()
    if row is None:
        raise NotFound("未找到该材料。", code="attachment_not_found")
    return FileResponse(
        row.file.open("rb"),
        content_type=row.content_type,
        as_attachment=True,
        filename=row.file.name.rsplit("/", 1)[-1],
    )


@router.post(
    "/cases/{case_id}/verification-results",
    response={200: Out, **ERRORS},
    summary="录入每名成员的经济状况核对结果（人工）",
)
def verification_results(request, case_id: int, payload: ResultsIn):
    services.record_verification_results(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        results=[r.model_dump() for r in payload.results],
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.post(
    "/cases/{case_id}/verification-requests",
    response={201: Out, **ERRORS},
    summary="发起经济状况核对（查询部门数据，结果自动记入每名成员）",
)
def verification_request(request, case_id: int, payload: VersionIn):
    out = services.request_case_verification(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        client=client_of(request),
    )
    return Status(
        201,
        {
            **_detail(request, case_id),
            "report": out["report"],
            "comparison": out["comparison"],
        },
    )


@router.post("/cases/{case_id}/village-review", response={200: Out, **ERRORS}, summary="民主评议记录")
def village_review(request, case_id: int, payload: VillageReviewIn):
    data = payload.model_dump()
    version = data.pop("version")
    services.record_village_review(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=version,
        client=client_of(request),
        **data,
    )
    return _detail(request, case_id)


def _assessment_out(a) -> dict:
    return {
        "id": a.pk,
        "assessed_on": a.assessed_on,
        "category": a.category,
        "monitoring_type": a.monitoring_type,
        "benefit_monthly": str(a.benefit_monthly),
        "refer_other_low_income": a.refer_other_low_income,
        "parameters_version": a.parameters_version,
        "parameters_digest": a.parameters_digest,
        "rule_set_version": a.rule_set_version,
        "verification": a.verification,
        "result": a.result,
    }


@router.post(
    "/cases/{case_id}/proposal", response={200: Out, **ERRORS}, summary="按当前户档案测算（审核确认建议）"
)
def make_proposal(request, case_id: int):
    return _assessment_out(
        services.propose(user=request.auth, case=_case(request, case_id), client=client_of(request))
    )


@router.get("/cases/{case_id}/proposal", response={200: Out, **ERRORS}, summary="当前测算建议")
def get_proposal(request, case_id: int):
    a = services.current_proposal(_case(request, case_id))
    if a is None:
        raise NotFound("尚未测算。", code="proposal_not_found")
    return _assessment_out(a)


@router.post("/cases/{case_id}/township-decision", response={200: Out, **ERRORS}, summary="乡镇审核确认")
def township_decision(request, case_id: int, payload: DecisionIn):
    services.record_township_decision(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        action=payload.action,
        assessment_id=payload.assessment_id,
        values=payload.values.model_dump() if payload.values else None,
        reason=payload.reason,
        panel=payload.panel,
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.get(
    "/cases/{case_id}/decisions/{decision_id}/explain",
    response={200: Out, **ERRORS},
    summary="按冻结的输入与参数复算并解释决定",
)
def explain(request, case_id: int, decision_id: int):
    _case(request, case_id)
    return services.explain_decision(user=request.auth, decision_id=decision_id)


@router.post(
    "/cases/{case_id}/leading-group-decision",
    response={200: Out, **ERRORS},
    summary="县领导小组认定其他低收入人口",
)
def leading_group(request, case_id: int, payload: LeadingGroupIn):
    services.record_leading_group_decision(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        approved=payload.approved,
        meeting=payload.meeting,
        opinion=payload.opinion,
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.post(
    "/cases/{case_id}/objections", response={200: Out, **ERRORS}, summary="公示期内登记异议（退回重新调查）"
)
def objection(request, case_id: int, payload: ObjectionIn):
    services.record_objection(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        content=payload.content,
        raised_by=payload.raised_by,
        received_on=payload.received_on,
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.post("/cases/{case_id}/county-filing", response={200: Out, **ERRORS}, summary="县级备案并录入建档")
def county_filing(request, case_id: int, payload: FilingIn):
    services.file_case(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        note=payload.note,
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.post(
    "/cases/{case_id}/refuse", response={200: Out, **ERRORS}, summary="不予认定（书面理由，生成告知书）"
)
def refuse(request, case_id: int, payload: VersionReasonIn):
    services.refuse_case(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        reason=payload.reason,
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.post("/cases/{case_id}/withdraw", response={200: Out, **ERRORS}, summary="申请人撤回")
def withdraw(request, case_id: int, payload: VersionReasonIn):
    services.withdraw_case(
        user=request.auth,
        case=_case(request, case_id),
        expected_version=payload.version,
        reason=payload.reason,
        client=client_of(request),
    )
    return _detail(request, case_id)


@router.post(
    "/cases/{case_id}/extensions", response={201: Out, **ERRORS}, summary="申请延长办理时限（仅一次）"
)
def request_extension(request, case_id: int, payload: ReasonIn):
    row = services.request_extension(
        user=request.auth, case=_case(request, case_id), reason=payload.reason, client=client_of(request)
    )
    return Status(201, {"id": row.pk, "status": row.status})


@router.post(
    "/cases/extensions/{extension_id}/decision",
    response={200: Out, **ERRORS},
    summary="乡镇审核确认小组组长审批延期",
)
def decide_extension(request, extension_id: int, payload: ExtensionDecisionIn):
    row = services.decide_extension(
        user=request.auth,
        extension_id=extension_id,
        approve=payload.approve,
        note=payload.note,
        expected_version=payload.version,
        client=client_of(request),
    )
    return {"id": row.pk, "status": row.status, "new_deadline": row.new_deadline}


@router.get("/cases/{case_id}/messages", response={200: Out, **ERRORS}, summary="发给申请人的消息")
def messages(request, case_id: int):
    case = _case(request, case_id)
    return {"items": [message_out(m) for m in case.messages.all()]}


# ---- inbox ------------------------------------------------------------------------------------


@router.get("/inbox", response={200: Out, **ERRORS}, summary="我的待办（指派、即将到期、超期）")
def inbox(request, unread: bool = False):
    items = selectors.inbox_of(request.auth, unread_only=unread)[:200]
    return {
        "items": [
            {
                "id": i.pk,
                "kind": i.kind,
                "title": i.title,
                "case_id": i.case_id,
                "created_at": i.created_at,
                "read": i.read_at is not None,
            }
            for i in items
        ]
    }


@router.post("/inbox/{item_id}/read", response={200: Out, **ERRORS}, summary="标记已读")
def read(request, item_id: int):
    services.mark_read(user=request.auth, item_id=item_id)
    return {"ok": True}
