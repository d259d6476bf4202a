"""Assessments and parameters: `POST /assessments` (the policy contract), stored assessments of a
registered household, and the parameters in force with officer-entered values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Body, Field, Query, Router, Schema, Status

from safetynet.api.auth import client_of
from safetynet.api.schemas import ERRORS
from safetynet.assessments import selectors, services
from safetynet.assessments.models import Assessment
from safetynet.core.areas import configured_county
from safetynet.core.dates import parse_iso_date
from safetynet.policy import jsonable

router = Router(tags=["认定测算与参数"])


def _day(value: str | None, field: str = "on") -> dt.date | None:
    return parse_iso_date(value, field)


class OnQuery(Schema):
    on: str | None = None


@router.post("/assessments", response={200: dict, **ERRORS}, summary="按统一核算口径测算一户（不保存）")
def assess(request, payload: dict = Body(...), query: OnQuery = Query(...)):  # noqa: B008
    """Input and output as `safetynet assess`: see docs/policy-engine.md."""
    return services.assess_payload(payload, on=_day(query.on))


def _stored(row: Assessment) -> dict:
    return {
        "id": row.pk,
        "household": row.household_id,
        "assessed_on": row.assessed_on.isoformat(),
        "created_at": row.created_at.isoformat(),
        "parameters_version": row.parameters_version,
        "parameters_digest": row.parameters_digest,
        "rule_set_version": row.rule_set_version,
        "result": selectors.explained_result(row),
    }


@router.post(
    "/households/{int:household_id}/assessments",
    response={201: dict, **ERRORS},
    summary="按在册信息测算一户并保存结果",
)
def assess_household(request, household_id: int, query: OnQuery = Query(...)):  # noqa: B008
    row = services.assess_household(
        user=request.auth, household_id=household_id, on=_day(query.on), client=client_of(request)
    )
    return Status(201, _stored(row))


@router.get(
    "/households/{int:household_id}/assessments",
    response={200: dict, **ERRORS},
    summary="一户的测算记录（最新在前）",
)
def household_assessments(request, household_id: int):
    rows = selectors.assessments_of(request.auth, household_id)
    return {"items": [_stored(r) for r in rows], "count": len(rows)}


class ParamsQuery(Schema):
    region: str | None = Field(None, description="行政区划代码；缺省为本系统所服务的县")
    on: str | None = None


@router.get("/parameters", response={200: dict, **ERRORS}, summary="某日生效的参数（平铺）")
def parameters_in_force(request, query: ParamsQuery = Query(...)):  # noqa: B008
    day = _day(query.on) or timezone.localdate()
    return jsonable(services.parameter_set(query.region or configured_county()).on(day).values())


class ParameterIn(Schema):
    region: str | None = Field(None, description="行政区划代码；缺省为本系统所服务的县")
    name: str
    value: Decimal | int | str
    effective_from: dt.date
    reference: str
    verified: bool = False
    note: str = ""


@router.post("/parameters", response={201: dict, **ERRORS}, summary="新增一个带生效日期的参数值")
def add_parameter(request, payload: ParameterIn):
    row = services.add_parameter_value(
        user=request.auth,
        region=payload.region or configured_county(),
        name=payload.name,
        value=payload.value,
        effective_from=payload.effective_from,
        reference=payload.reference,
        verified=payload.verified,
        note=payload.note,
        client=client_of(request),
    )
    return Status(
        201,
        {
            "id": row.pk,
            "name": row.name,
            "value": row.value,
            "verified": row.verified,
            "effective_from": row.effective_from.isoformat(),
            "reference": row.reference,
        },
    )
