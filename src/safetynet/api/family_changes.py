"""家庭变化 through the API: change of head, a member leaves, a member joins, split, merge.

Each endpoint parses, calls one registry service (permission, reach, validation, transaction,
audit and the `household_changed` announcement live there) and answers with the household's
membership after the change. Errors are the one `{"code", "message", "field"}` shape, `field`
naming the body's field (`relations.12`, `members.0.relation`).
"""

from __future__ import annotations

from ninja import Router, Status

from safetynet.api.auth import client_of
from safetynet.api.households import _detail
from safetynet.api.schemas import (
    ERRORS,
    PERSON_FIELDS,
    HeadChangeIn,
    HouseholdDetail,
    MemberJoinIn,
    MemberLeaveIn,
    MergeIn,
    SplitIn,
    SplitOut,
)
from safetynet.registry import inputs, selectors, services

router = Router(tags=["family changes"])


@router.post(
    "/households/{int:household_id}/head",
    response={200: HouseholdDetail, **ERRORS},
    summary="户主变更",
)
def change_head(request, household_id: int, payload: HeadChangeIn):
    h = selectors.get_household(request.auth, household_id)
    services.change_head(
        user=request.auth,
        household=h,
        new_head=payload.new_head,
        old_head_relation=payload.old_head_relation,
        changed_on=payload.changed_on,
        reason=payload.reason,
        relations=payload.relations,
        expected_version=payload.version,
        client=client_of(request),
    )
    return _detail(request.auth, h.pk)


@router.post(
    "/households/{int:household_id}/members/{int:membership_id}/changes",
    response={200: HouseholdDetail, **ERRORS},
    summary="成员减少或状态变化（死亡、婚出、迁出、服刑、全日制就读、其他）",
)
def record_leave(request, household_id: int, membership_id: int, payload: MemberLeaveIn):
    h = selectors.get_household(request.auth, household_id)
    m = selectors.get_membership(request.auth, h, membership_id)
    services.record_leave(
        user=request.auth,
        household=h,
        membership=m.pk,
        kind=payload.kind,
        left_on=payload.left_on,
        reason=payload.reason,
        new_head=payload.new_head,
        relations=payload.relations,
        expected_version=payload.version,
        client=client_of(request),
    )
    return _detail(request.auth, h.pk)


@router.post(
    "/households/{int:household_id}/joins",
    response={201: HouseholdDetail, **ERRORS},
    summary="成员增加（出生、婚入、迁入）",
)
def record_join(request, household_id: int, payload: MemberJoinIn):
    h = selectors.get_household(request.auth, household_id)
    services.record_join(
        user=request.auth,
        household=h,
        kind=payload.kind,
        person=inputs.PersonInput(**{f: getattr(payload, f) for f in PERSON_FIELDS}),
        relation=payload.relation,
        joined_on=payload.joined_on,
        reason=payload.reason,
        co_resident=payload.co_resident,
        not_counted_reason=payload.not_counted_reason,
        expected_version=payload.version,
        client=client_of(request),
    )
    return Status(201, _detail(request.auth, h.pk))


@router.post(
    "/households/{int:household_id}/split",
    response={201: SplitOut, **ERRORS},
    summary="分户",
)
def split_household(request, household_id: int, payload: SplitIn):
    h = selectors.get_household(request.auth, household_id)
    new = services.split_household(
        user=request.auth,
        household=h,
        members=[services.Mover(m.membership, m.relation) for m in payload.members],
        new_head=payload.new_head,
        split_on=payload.split_on,
        reason=payload.reason,
        address=payload.address,
        village_code=payload.village,
        expected_version=payload.version,
        client=client_of(request),
    )
    return Status(
        201, {"household": _detail(request.auth, h.pk), "new_household": _detail(request.auth, new.pk)}
    )


@router.post(
    "/households/{int:household_id}/merge",
    response={200: HouseholdDetail, **ERRORS},
    summary="合户（另一户的成员并入本户，该户销户）",
)
def merge_households(request, household_id: int, payload: MergeIn):
    h = selectors.get_household(request.auth, household_id)
    services.merge_households(
        user=request.auth,
        household=h,
        other=payload.other,
        relations=payload.relations,
        merged_on=payload.merged_on,
        reason=payload.reason,
        expected_version=payload.version,
        other_version=payload.other_version,
        client=client_of(request),
    )
    return _detail(request.auth, h.pk)
