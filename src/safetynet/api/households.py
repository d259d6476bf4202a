"""Households and their members: list, detail, create, update, member add / edit / leave, and
revealing one person's identifiers.

Each view parses, fetches through the registry selectors (so an object outside the caller's area
is a 404 exactly like a missing one), calls a registry service for any write (permission, audit
and transaction live there) and renders. Personal data leaves masked, except from `reveal`.
"""

from __future__ import annotations

from contextlib import contextmanager

from ninja import Query, Router, Status

from safetynet.api.auth import client_of
from safetynet.api.schemas import (
    DEFAULT_LIMIT,
    ERRORS,
    MAX_LIMIT,
    MAX_OFFSET,
    PERSON_FIELDS,
    TOWNSHIP_CODE,
    VILLAGE_CODE,
    FactsPatch,
    HouseholdDetail,
    HouseholdIn,
    HouseholdList,
    HouseholdPatch,
    LeaveIn,
    MemberAddIn,
    MemberPatch,
    RevealIn,
    RevealOut,
)
from safetynet.core.errors import SafetynetError
from safetynet.core.masking import mask_bank_account, mask_id_number, mask_name, mask_phone
from safetynet.core.paging import window
from safetynet.registry import inputs, selectors, services
from safetynet.registry.models import Household, Membership, NotCountedReason

router = Router(tags=["households"])

# ---- rendering ------------------------------------------------------------------------------


def _area(area) -> dict | None:
    return {"code": area.code, "name": area.name} if area else None


def _summary(h: Household, member_count: int) -> dict:
    return {
        "id": h.pk,
        "village": _area(h.village),
        "township": _area(h.village.parent),
        "address": h.address,
        "hukou": h.hukou,
        "alleviated": h.alleviated,
        "head_name": mask_name(h.head.name) if h.head_id else "",
        "member_count": member_count,
        "version": h.version,
    }


def _member(m: Membership) -> dict:
    p = m.person
    return {
        "id": m.pk,
        "person_id": p.pk,
        "name": mask_name(p.name),
        "id_number": mask_id_number(p.id_number),
        "sex": p.sex,
        "birth_date": p.birth_date,
        "relation": m.relation,
        "co_resident": m.co_resident,
        "counted": m.counted,
        "not_counted_reason": m.not_counted_reason,
        "disability_kind": p.disability_kind,
        "disability_grade": p.disability_grade,
        "major_illness": p.major_illness,
        "fulltime_education": p.fulltime_education,
        "self_care_failed": list(p.self_care_failed or []),
        "labour_capacity": p.labour_capacity,
        "phone": mask_phone(p.phone),
        "bank_account": mask_bank_account(p.bank_account),
        "joined_on": m.joined_on,
        "joined_kind": m.joined_kind,
        "left_on": m.left_on,
        "left_kind": m.left_kind,
        "left_reason": m.left_reason,
        "died_on": p.died_on,
        **{name: getattr(p, name) for name in inputs.INCOME_FIELDS},
    }


FACT_FIELDS = (
    "financial_assets",
    "vehicles",
    "homes",
    "home_bought_within_year",
    "company_roles",
    "rigid_medical_12m",
    "rigid_education_12m",
    "rigid_rehabilitation_12m",
    "supporters",
    "risk_events",
    "risk_judgement",
    "risk_judgement_reason",
)


def _detail(user, household_id: int) -> dict:
    h = selectors.get_household(user, household_id)
    members = [_member(m) for m in selectors.current_members(h)]
    return {
        **_summary(h, len(members)),
        "head_person_id": h.head_id,
        "closed_on": h.closed_on,
        "closed_reason": h.closed_reason,
        "created_at": h.created_at,
        "updated_at": h.updated_at,
        "facts": {
            **{name: getattr(h, name) for name in FACT_FIELDS},
            "single_person_applicant": h.single_person_applicant_id,
        },
        "members": members,
        "past_members": [_member(m) for m in selectors.past_members(h)],
    }


@contextmanager
def _fields_renamed(mapping: dict[str, str]):
    """Where a service names a field differently from this endpoint's body, say the body's name."""
    try:
        yield
    except SafetynetError as exc:
        if exc.field in mapping:
            exc.field = mapping[exc.field]
        raise


# ---- reads ----------------------------------------------------------------------------------


@router.get("/households", response={200: HouseholdList, **ERRORS}, summary="查询户（分页）")
def list_households(
    request,
    village: str | None = Query(None, pattern=VILLAGE_CODE, description="村（社区）12位代码"),
    township: str | None = Query(None, pattern=TOWNSHIP_CODE, description="乡镇9位代码"),
    q: str | None = Query(None, max_length=64, description="姓名、姓名拼音首字母或完整身份证号码"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    found = selectors.search_households(
        request.auth, q=q or "", village=village or "", township=township or ""
    )
    rows = window(selectors.with_member_count(found), offset, limit)
    return {"items": [_summary(h, h.member_count) for h in rows], "count": found.count()}


@router.get("/households/{int:household_id}", response={200: HouseholdDetail, **ERRORS}, summary="户详情")
def household_detail(request, household_id: int):
    return _detail(request.auth, household_id)


# ---- writes ---------------------------------------------------------------------------------


@router.post("/households", response={201: HouseholdDetail, **ERRORS}, summary="新建户及其成员")
def create_household(request, payload: HouseholdIn):
    h = services.create_household(
        user=request.auth,
        village_code=payload.village,
        address=payload.address,
        hukou=payload.hukou,
        alleviated=payload.alleviated,
        members=[m.member_input() for m in payload.members],
        client=client_of(request),
    )
    return Status(201, _detail(request.auth, h.pk))


@router.patch(
    "/households/{int:household_id}", response={200: HouseholdDetail, **ERRORS}, summary="修改户信息"
)
def update_household(request, household_id: int, payload: HouseholdPatch):
    h = selectors.get_household(request.auth, household_id)
    services.update_household(
        user=request.auth,
        household=h,
        expected_version=payload.version,
        village_code=payload.village,
        address=payload.address,
        hukou=payload.hukou,
        alleviated=payload.alleviated,
        client=client_of(request),
    )
    return _detail(request.auth, h.pk)


@router.patch(
    "/households/{int:household_id}/facts",
    response={200: HouseholdDetail, **ERRORS},
    summary="修改申报的资产、刚性支出、户外赡养人与风险事件",
)
def update_facts(request, household_id: int, payload: FactsPatch):
    h = selectors.get_household(request.auth, household_id)
    services.update_household_facts(
        user=request.auth,
        household=h,
        expected_version=payload.version,
        facts=payload.facts(),
        client=client_of(request),
    )
    return _detail(request.auth, h.pk)


@router.post(
    "/households/{int:household_id}/members", response={201: HouseholdDetail, **ERRORS}, summary="添加成员"
)
def add_member(request, household_id: int, payload: MemberAddIn):
    h = selectors.get_household(request.auth, household_id)
    services.add_member(
        user=request.auth,
        household=h,
        person=payload.person_input(),
        membership=payload.membership_input(),
        expected_version=payload.version,
        client=client_of(request),
    )
    return Status(201, _detail(request.auth, h.pk))


def _merged_member(m: Membership, patch: MemberPatch) -> tuple[inputs.PersonInput, inputs.MembershipInput]:
    """A partial update on top of the member as stored: what is not given stays as it is."""
    given = {k: v for k, v in patch.model_dump(exclude={"version"}).items() if v is not None}
    if given.get("disability_kind") == "" and "disability_grade" not in given:
        given["disability_grade"] = None  # no disability: the grade goes with the kind
    if (
        given.get("co_resident") is True
        and "not_counted_reason" not in given
        and m.not_counted_reason == NotCountedReason.NOT_CORESIDENT
    ):
        given["not_counted_reason"] = ""  # living together again: "not co-resident" no longer applies
    person = {f: given.get(f, getattr(m.person, f)) for f in PERSON_FIELDS}
    # Sex and birth date are read from the ID number; given, they are only checked against it.
    person["sex"], person["birth_date"] = given.get("sex"), given.get("birth_date")
    membership = {f: given.get(f, getattr(m, f)) for f in ("relation", "co_resident", "not_counted_reason")}
    return inputs.PersonInput(**person), inputs.MembershipInput(**membership)


@router.patch(
    "/households/{int:household_id}/members/{int:membership_id}",
    response={200: HouseholdDetail, **ERRORS},
    summary="修改成员信息",
)
def update_member(request, household_id: int, membership_id: int, payload: MemberPatch):
    h = selectors.get_household(request.auth, household_id)
    m = selectors.get_membership(request.auth, h, membership_id)
    person, membership = _merged_member(m, payload)
    services.update_member(
        user=request.auth,
        household=h,
        membership=m,
        person=person,
        membership_data=membership,
        expected_version=payload.version,
        client=client_of(request),
    )
    return _detail(request.auth, h.pk)


@router.post(
    "/households/{int:household_id}/members/{int:membership_id}/leave",
    response={200: HouseholdDetail, **ERRORS},
    summary="成员离开本户",
)
def end_membership(request, household_id: int, membership_id: int, payload: LeaveIn):
    h = selectors.get_household(request.auth, household_id)
    m = selectors.get_membership(request.auth, h, membership_id)
    with _fields_renamed({"left_reason": "reason"}):
        services.end_membership(
            user=request.auth,
            household=h,
            membership=m,
            left_on=payload.left_on,
            reason=payload.reason,
            expected_version=payload.version,
            client=client_of(request),
        )
    return _detail(request.auth, h.pk)


# ---- unmasking ------------------------------------------------------------------------------


@router.post(
    "/persons/{int:person_id}/reveal",
    response={200: RevealOut, **ERRORS},
    tags=["persons"],
    summary="查看完整个人信息（需权限，记入审计）",
)
def reveal_person(request, person_id: int, payload: RevealIn):
    return services.reveal_person(
        user=request.auth, person_id=person_id, reason=payload.reason, client=client_of(request)
    )
