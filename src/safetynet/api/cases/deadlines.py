"""Deadlines and what reaches people: the one extension of a case's time limit and its approval,
the messages sent to the applicant, and each user's inbox."""

from __future__ import annotations

from ninja import Router, Status

from safetynet.api.auth import client_of
from safetynet.api.cases.render import get_case, message_out
from safetynet.api.cases.schemas import (
    ExtensionDecidedOut,
    ExtensionDecisionIn,
    ExtensionOut,
    InboxOut,
    MessageListOut,
    OkOut,
    ReasonIn,
)
from safetynet.api.schemas import ERRORS
from safetynet.cases import selectors, services

router = Router(tags=["cases"], by_alias=True)


@router.post(
    "/cases/{case_id}/extensions",
    response={201: ExtensionOut, **ERRORS},
    summary="申请延长办理时限（仅一次）",
)
def request_extension(request, case_id: int, payload: ReasonIn):
    row = services.request_extension(
        user=request.auth, case=get_case(request, case_id), reason=payload.reason, client=client_of(request)
    )
    return Status(201, {"id": row.pk, "status": row.status})


@router.post(
    "/cases/extensions/{extension_id}/decision",
    response={200: ExtensionDecidedOut, **ERRORS},
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


@router.get("/cases/{case_id}/messages", response={200: MessageListOut, **ERRORS}, summary="发给申请人的消息")
def messages(request, case_id: int):
    case = get_case(request, case_id)
    return {"items": [message_out(m) for m in case.messages.all()]}


@router.get("/inbox", response={200: InboxOut, **ERRORS}, summary="我的待办（指派、即将到期、超期）")
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


@router.post("/inbox/{item_id}/read", response={200: OkOut, **ERRORS}, summary="标记已读")
def read(request, item_id: int):
    services.mark_read(user=request.auth, item_id=item_id)
    return {"ok": True}
