"""村级初审 (民主评议)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import selectors
from safetynet.cases.models import (
    Attachment,
    VillageReview,
)
from safetynet.cases.services.base import _fire, _lock, _params, _require_state
from safetynet.cases.services.checks import _require, _text
from safetynet.cases.services.decision import _assess
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import (
    ValidationFailed,
)

# ---- village review ------------------------------------------------------------------------------


def _qualifies(result: dict) -> bool:
    return result["category"] != "none" or bool(result.get("refer_other_low_income"))


def record_village_review(
    *,
    user,
    case,
    expected_version: int | None,
    held_on: dt.date,
    attendees: str,
    attendee_count: int,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    record_id: int,
    notes: str = "",
    client: str = "",
) -> VillageReview:
    """村级初审 (民主评议). More than half of those present for → passed, to the township. A failed
    vote on a family whose income and assets qualify (the engine, now) → investigated again;
    otherwise the case waits in review for a written refusal."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.VILLAGE_REVIEW, "民主评议记录")
    _require_state(case, State.VILLAGE_REVIEW, expected_version=expected_version)
    if not isinstance(held_on, dt.date) or held_on > clock.today():
        raise ValidationFailed("评议日期不能晚于今天。", field="held_on")
    attendees = _text(attendees, "attendees", "参会人员", max_length=2000)
    for name, value in (
        ("attendee_count", attendee_count),
        ("votes_for", votes_for),
        ("votes_against", votes_against),
        ("abstentions", abstentions),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 500:
            raise ValidationFailed("应为0至500的整数。", field=name)
    minimum = int(
        _params(case.household.village.code, clock.today())["procedure.village_review_min_attendance"]
    )
    if attendee_count < minimum:
        raise ValidationFailed(f"民主评议参会人数不少于{minimum}人。", field="attendee_count")
    if votes_for + votes_against + abstentions > attendee_count:
        raise ValidationFailed("赞成、反对、弃权票合计不能超过参会人数。", field="votes_for")
    record = Attachment.objects.filter(
        pk=record_id, case=case, kind=Attachment.Kind.VILLAGE_REVIEW, round=case.round
    ).first()
    if record is None:
        raise ValidationFailed(
            "请先上传本轮民主评议签字记录。", code="review_record_missing", field="record_id"
        )
    result = "passed" if votes_for * 2 > attendee_count else "failed"
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        assessment = _assess(user=user, case=case, client=client)
        review = VillageReview.objects.create(
            case=case,
            round=case.round,
            held_on=held_on,
            attendees=attendees,
            attendee_count=attendee_count,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            result=result,
            notes=(notes or "").strip()[:4000],
            record=record,
            assessment=assessment,
            qualifies=_qualifies(assessment.result),
            recorded_by=user,
        )
        record_audit(
            actor=Actor.of(user, client),
            action="case.village_review",
            object_type="case",
            object_id=case.pk,
            changes={"result": [None, result], "votes": [None, f"{votes_for}/{votes_against}/{abstentions}"]},
        )
        summary = (
            f"民主评议{attendee_count}人参加，赞成{votes_for}票，反对{votes_against}票，弃权{abstentions}票"
        )
        if result == "passed":
            _fire(
                user,
                case,
                "village_review_passed",
                reason=summary,
                client=client,
                record={"village_review": review.pk},
            )
        elif review.qualifies:
            _fire(
                user,
                case,
                "village_review_reinvestigate",
                reason=f"{summary}；收入财产符合条件，重新入户调查",
                client=client,
                record={"village_review": review.pk},
            )
    return review
