"""The API's schemas of what happens after admission: the entitlement timeline's rows, the
township's change decisions and the letters to the family."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

JSONObject = dict[str, Any]


class ChangeDecisionOut(Schema):
    id: int
    round: int
    outcome: str
    overridden: bool
    terms: JSONObject
    proposal: JSONObject
    gradual_exit_months: int
    effective_from: dt.date
    reason: str
    stop_notice_ends: dt.date | None
    decided_on: dt.date
    active: bool


class LetterOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    issued_on: dt.date


class EntitlementOut(Schema):
    """One row of the entitlement timeline: what the household was entitled to from `valid_from`
    up to, not including, `valid_until` (empty: open-ended)."""

    id: int
    valid_from: dt.date
    valid_until: dt.date | None
    category: str
    monitoring_marked: bool
    monitoring_type: str
    benefit_monthly: str
    basis: str = Field(..., description="开始依据：admission 认定 / change 家庭变化 / review 复核 / …")
    end_basis: str = Field(..., description="提前终止的原因（空：未终止或到期）")
    decided_on: dt.date
    review_due: dt.date | None
    parameters_version: str
    case_id: int | None
