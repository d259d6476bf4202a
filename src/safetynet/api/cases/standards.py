"""提标: apply a new standard from a date in one batch decision; list the ones applied."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from safetynet.api.auth import client_of
from safetynet.api.schemas import ERRORS
from safetynet.cases import selectors, services

router = Router(tags=["cases"])


class StandardChangeIn(Schema):
    effective_from: dt.date = Field(..., description="新标准执行日期（某月1日）")
    document: str = Field(..., description="提标文件及文号")
    reason: str = ""


class StandardChangeOut(Schema):
    id: int
    region: str
    effective_from: dt.date
    document: str
    reason: str
    parameters_version: str
    households: int
    changed: int
    total_before: str
    total_after: str
    skipped: list[dict]
    decided_on: dt.date


class StandardChangeListOut(Schema):
    items: list[StandardChangeOut]


def _out(c) -> dict:
    return {
        **{
            k: getattr(c, k)
            for k in ("id", "region", "effective_from", "document", "reason", "parameters_version")
        },
        **{k: getattr(c, k) for k in ("households", "changed", "skipped", "decided_on")},
        "total_before": str(c.total_before),
        "total_after": str(c.total_after),
    }


@router.post(
    "/standard-changes", response={201: StandardChangeOut, **ERRORS}, summary="提标（按新标准批量调整待遇）"
)
def apply(request, payload: StandardChangeIn):
    change = services.apply_standard_change(
        user=request.auth,
        effective_from=payload.effective_from,
        document=payload.document,
        reason=payload.reason,
        client=client_of(request),
    )
    return Status(201, _out(change))


@router.get("/standard-changes", response={200: StandardChangeListOut, **ERRORS}, summary="已执行的提标")
def list_changes(request):
    return {"items": [_out(c) for c in selectors.standard_changes(request.auth)]}
