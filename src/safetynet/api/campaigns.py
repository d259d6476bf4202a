"""The yearly review campaigns (7–8月复核): `/api/v1/review-campaigns…`.

A shell over `campaigns.services` and `campaigns.selectors`. The county civil-affairs office opens
a campaign (201; the cases are created in the background, the campaign's `status` and counts say
how far it is); a second campaign for the same period and area is a 409 `campaign_exists` on
`starts_on`. Lists and progress are scoped: a township user sees the county's campaign with their
township's figures only; a campaign that reaches none of the user's area is a 404.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from safetynet.api.auth import client_of
from safetynet.api.schemas import ERRORS, In
from safetynet.campaigns import selectors, services
from safetynet.core import clock

router = Router(tags=["review-campaigns"])


class CampaignIn(In):
    name: str = Field(..., description="名称，如“2026年度低保特困复核”")
    area: str = Field(..., pattern=r"^(\d{6}|\d{9})$", description="复核范围：县或乡镇代码")
    starts_on: dt.date
    ends_on: dt.date


class FiguresOut(Schema):
    due: int = Field(..., description="应复核户数（已生成案件 + 跳过）")
    cases: int = Field(..., description="已生成复核案件")
    skipped: int = Field(..., description="已有正在办理案件而跳过的户数")
    verified: int = Field(..., description="已完成核对（进入乡镇审核确认及以后）")
    unchanged: int = Field(..., description="复核无变化")
    changed: int = Field(..., description="变更待遇")
    stopped: int = Field(..., description="停发")
    overdue: int = Field(..., description="超过办结时限仍未办结")


class ProgressRowOut(Schema):
    code: str
    name: str
    figures: FiguresOut


class CampaignOut(Schema):
    id: int
    name: str
    area: str
    area_name: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str
    message: str
    households_due: int = Field(..., description="后台生成进度：应复核户数（全范围）")
    cases_created: int
    skipped: int
    verified: int


class CampaignListOut(Schema):
    count: int
    items: list[CampaignOut]


class ProgressOut(CampaignOut):
    level: str = Field(..., description="township：按乡镇；village：某乡镇按村")
    total: FiguresOut = Field(..., description="本人可见范围内的合计")
    rows: list[ProgressRowOut]


class ProgressQuery(Schema):
    township: str = Field("", pattern=r"^(\d{9})?$", description="乡镇代码：给出时按村列出")


def _out(c) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "area": c.area.code,
        "area_name": c.area.name,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "status": c.status,
        "status_label": c.get_status_display(),
        "message": c.message,
        "households_due": c.households_due,
        "cases_created": c.cases_created,
        "skipped": c.skipped,
        "verified": c.verified,
    }


@router.post("/review-campaigns", response={201: CampaignOut, **ERRORS}, summary="开启年度复核（县民政局）")
def open_campaign(request, payload: CampaignIn):
    c = services.open_campaign(
        user=request.auth,
        name=payload.name,
        area_code=payload.area,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        client=client_of(request),
    )
    return Status(201, _out(selectors.get_campaign(request.auth, c.pk)))


@router.get("/review-campaigns", response={200: CampaignListOut, **ERRORS}, summary="年度复核列表")
def list_campaigns(request):
    rows = list(selectors.campaigns_visible_to(request.auth)[:200])
    return {"count": len(rows), "items": [_out(c) for c in rows]}


@router.get(
    "/review-campaigns/{int:campaign_id}",
    response={200: ProgressOut, **ERRORS},
    summary="年度复核进度（按乡镇，或某乡镇按村）",
)
def campaign_progress(request, campaign_id: int, q: Query[ProgressQuery]):
    c = selectors.get_campaign(request.auth, campaign_id)
    p = selectors.progress(request.auth, c, today=clock.today(), township=q.township)
    return {
        **_out(c),
        "level": p["level"],
        "total": p["total"],
        "rows": [{"code": r.code, "name": r.name, "figures": r.figures} for r in p["rows"]],
    }
