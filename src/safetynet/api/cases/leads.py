"""Leads: `/api/v1/leads…` — file one, import a CSV, the lead worklist, dismiss one; in batches
(all or nothing): assign to a village officer, dismiss with one reason."""

from __future__ import annotations

from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from safetynet.api.auth import client_of
from safetynet.api.cases.render import lead_out
from safetynet.api.cases.schemas import (
    ChannelChoice,
    LeadBatchOut,
    LeadFiledOut,
    LeadImportOut,
    LeadIn,
    LeadListOut,
    LeadOut,
    LeadsAssignIn,
    LeadsDismissIn,
    ReasonIn,
)
from safetynet.api.schemas import ERRORS
from safetynet.cases import selectors, services, worklists
from safetynet.core import clock
from safetynet.core.errors import Conflict, ValidationFailed

router = Router(tags=["cases"], by_alias=True)


@router.post(
    "/leads",
    response={200: LeadFiledOut, 201: LeadFiledOut, **ERRORS},
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


@router.post("/leads/import", response={200: LeadImportOut, **ERRORS}, summary="以CSV文件导入线索")
def import_leads(request, channel: Form[ChannelChoice], file: File[UploadedFile], department: Form[str] = ""):
    if file.size > 20 * 1024 * 1024:
        raise ValidationFailed("文件不能超过20MB。", field="file")
    return services.import_leads(
        user=request.auth, channel=channel, data=file.read(), department=department, client=client_of(request)
    )


@router.get("/leads", response={200: LeadListOut, **ERRORS}, summary="线索工作台：新线索及收到天数")
def list_leads(request, status: str = "new", township: str = ""):
    rows = worklists.lead_worklist(request.auth, township=township, status=status, today=clock.today())
    return {"items": [lead_out(r.lead, r.days_since) for r in rows], "count": len(rows)}


@router.post("/leads/{lead_id}/dismiss", response={200: LeadOut, **ERRORS}, summary="经核实排除线索")
def dismiss_lead(request, lead_id: int, payload: ReasonIn):
    lead = selectors.get_lead(request.auth, lead_id)
    return lead_out(
        services.dismiss_lead(user=request.auth, lead=lead, reason=payload.reason, client=client_of(request))
    )


def _batch(result) -> dict:
    return {
        "items": [lead_out(lead) for lead in result.leads],
        "count": result.count,
        "changed": result.changed,
    }


@router.post(
    "/leads/assign",
    response={200: LeadBatchOut, **ERRORS},
    summary="批量分派线索给村救助帮扶专干（全部成功或全部不变）",
)
def assign_leads(request, payload: LeadsAssignIn):
    result = services.assign_leads(
        user=request.auth, lead_ids=payload.lead_ids, officer=payload.officer, client=client_of(request)
    )
    return _batch(result)


@router.post(
    "/leads/dismiss", response={200: LeadBatchOut, **ERRORS}, summary="批量排除线索（全部成功或全部不变）"
)
def dismiss_leads(request, payload: LeadsDismissIn):
    result = services.dismiss_leads(
        user=request.auth, lead_ids=payload.lead_ids, reason=payload.reason, client=client_of(request)
    )
    return _batch(result)
