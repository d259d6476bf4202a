"""Writes to the registry: households, persons and their dated membership.

Every service takes the acting user explicitly, checks permission and reach, validates, writes
inside one transaction and appends its audit record in the same transaction. Personal
identifiers appear in audit records masked, never in plain text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import Conflict, PermissionDenied, ValidationFailed
from safetynet.core.masking import mask_bank_account, mask_id_number, mask_phone
from safetynet.registry import selectors
from safetynet.registry.fields import blind_index
from safetynet.registry.inputs import (
    MembershipInput,
    PersonInput,
    clean_membership,
    clean_person,
    parse_choice,
    parse_money,
)
from safetynet.registry.models import (
    Area,
    ChangeKind,
    Household,
    Hukou,
    Membership,
    Person,
    Relation,
)
from safetynet.registry.services import hooks
from safetynet.registry.services.hooks import announce

MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account}


def _require(user, perm: Perm) -> None:
    if not user.can(perm):
        raise PermissionDenied("您的角色无权执行此操作。")


def _shown(name: str, value):
    if name in MASKERS and value:
        return MASKERS[name](value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Area):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    return value


def _apply(obj, values: dict) -> dict:
    """Set changed attributes on obj; return {field: [before, after]} with identifiers masked."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [_shown(name, old), _shown(name, new)]
            setattr(obj, name, new)
    return changes


def _household_label(user, household: Household) -> str:
    """Which household holds a person, said only to someone allowed to see it."""
    if selectors.households_visible_to(user).filter(pk=household.pk).exists():
        head = household.head.name if household.head_id else ""
        return f"{household.village.name} 户{household.pk}（户主{head}）"
    return "另一户（不在您的管辖范围内）"


def _check_not_counted_elsewhere(user, person: Person, household: Household | None, field_name: str) -> None:
    clash = (
        Membership.objects.filter(person=person, counted=True, left_on__isnull=True)
        .exclude(household=household)
        .select_related("household__village", "household__head")
        .first()
    )
    if clash:
        raise Conflict(
            f"此人已是{_household_label(user, clash.household)}的共同生活家庭成员，不能同时计入两户。"
            "请先办理其在原户的成员变更。",
            code="member_in_other_household",
            field=field_name,
        )


def _save_person(person: Person, changes: dict) -> None:
    """Save a person who is already registered with `changes` (`_apply`'s); a new name's initials
    go to their membership rows too (a search by initials reads them there,
    models.Membership.name_initials)."""
    person.save()
    if "name_initials" in changes:
        Membership.objects.filter(person=person).update(name_initials=person.name_initials)


def _upsert_person(
    user, actor: Actor, values: dict, *, household: Household | None, counted: bool, prefix: str
):
    index = blind_index(values["id_number"])
    person = Person.objects.filter(id_index=index).first()
    if person and counted:
        _check_not_counted_elsewhere(user, person, household, f"{prefix}id_number")
    if person is None:
        person = Person(id_index=index, **values)
        person.save()
        record_audit(
            actor=actor,
            action="person.create",
            object_type="person",
            object_id=person.pk,
            changes={k: [None, _shown(k, v)] for k, v in values.items() if k != "name_initials"},
        )
    elif _held_outside_reach(user, person):
        # Still a current member of a household this user cannot see: link the person, but their
        # record is kept by the area that holds them, so nothing of it is overwritten from here.
        record_audit(
            actor=actor,
            action="person.link",
            object_type="person",
            object_id=person.pk,
            changes={"kept": [None, "个人信息由其现所在辖区维护，本次未修改"]},
        )
    else:
        changes = _apply(person, values)
        if changes:
            _save_person(person, changes)
            record_audit(
                actor=actor,
                action="person.update",
                object_type="person",
                object_id=person.pk,
                changes=changes,
            )
    return person


def _held_outside_reach(user, person: Person) -> bool:
    current = Membership.objects.filter(person=person, left_on__isnull=True)
    visible = selectors.households_visible_to(user)
    return current.exclude(household__in=visible).exists()


# ---- services -------------------------------------------------------------------------------


@dataclass
class MemberInput:
    person: PersonInput
    membership: MembershipInput


def create_household(
    *,
    user,
    village_code: str,
    address: str,
    hukou: str,
    alleviated: bool = False,
    members: list[MemberInput],
    client: str = "",
) -> Household:
    _require(user, Perm.CREATE_HOUSEHOLD)
    village = selectors.get_village(user, village_code)
    address = (address or "").strip()
    if not address:
        raise ValidationFailed("请填写住址。", field="address")
    parse_choice(hukou, Hukou, "hukou", "户籍性质")
    if not members:
        raise ValidationFailed("一户至少应有一名成员（户主）。", field="members")
    cleaned = []
    for i, m in enumerate(members):
        prefix = f"members[{i}]."
        cleaned.append(
            (clean_person(m.person, prefix=prefix), clean_membership(m.membership, prefix=prefix), prefix)
        )
    heads = [p for p, mem, _ in cleaned if mem["relation"] == Relation.HEAD]
    if len(heads) != 1:
        raise ValidationFailed("一户应有且只有一名户主。", field="members")
    ids = [p["id_number"] for p, _, _ in cleaned]
    if len(set(ids)) != len(ids):
        dup = next(i for i, x in enumerate(ids) if ids.index(x) != i)
        raise ValidationFailed(
            "同一户中身份证号码重复。", code="duplicate_member", field=f"members[{dup}].id_number"
        )
    actor = Actor.of(user, client)
    with transaction.atomic():
        household = Household.objects.create(
            village=village, address=address, hukou=hukou, alleviated=alleviated
        )
        for pvals, mvals, prefix in cleaned:
            person = _upsert_person(
                user, actor, pvals, household=household, counted=mvals["counted"], prefix=prefix
            )
            _create_membership(household, person, mvals, prefix)
            if mvals["relation"] == Relation.HEAD:
                household.head = person
        household.save(update_fields=["head"])
        record_audit(
            actor=actor,
            action="household.create",
            object_type="household",
            object_id=household.pk,
            changes={
                "village": [None, village.code],
                "address": [None, address],
                "hukou": [None, hukou],
                "alleviated": [None, alleviated],
                "members": [None, len(cleaned)],
            },
        )
    return household


def _create_membership(household: Household, person: Person, values: dict, prefix: str) -> Membership:
    try:
        with transaction.atomic():
            return Membership.objects.create(household=household, person=person, **values)
    except IntegrityError:
        # The partial unique indexes caught a race the checks above could not see.
        raise Conflict(
            "该成员已在本户或另一户中登记为共同生活家庭成员。",
            code="member_in_other_household",
            field=f"{prefix}id_number",
        ) from None


def _check_version(household: Household, expected_version: int | None) -> None:
    """Refuse a stale form even when it would change nothing: the user decided on old data."""
    _require_open(household)
    if expected_version is not None and expected_version != household.version:
        raise Conflict("该户信息已被他人修改，请刷新后重试。", code="stale_version", field="version")


def _require_open(household: Household) -> None:
    if household.closed_on is not None:
        raise Conflict(
            f"该户已于{household.closed_on.isoformat()}销户（{household.closed_reason}），不能再修改。",
            code="household_closed",
            field="household",
        )


def _bump_version(household: Household, expected_version: int | None) -> None:
    """Optimistic lock: the write succeeds only against the version the user saw. A closed
    household (合户) takes no more writes."""
    _require_open(household)
    current = household.version
    if expected_version is not None and expected_version != current:
        raise Conflict("该户信息已被他人修改，请刷新后重试。", code="stale_version", field="version")
    updated = Household.objects.filter(pk=household.pk, version=current).update(
        version=current + 1, updated_at=timezone.now()
    )
    if not updated:
        raise Conflict("该户信息已被他人修改，请刷新后重试。", code="stale_version", field="version")
    household.version = current + 1


def _save_household(user, household: Household, values: dict, expected_version, action: str, client: str):
    """Apply the changed values under the optimistic lock and audit them, in one transaction."""
    _check_version(household, expected_version)
    with transaction.atomic():
        changes = _apply(household, values)
        if changes:
            _bump_version(household, expected_version)
            household.save(update_fields=[*values.keys(), "updated_at"])
            if "village" in changes:
                Membership.objects.filter(household=household).update(village_id=household.village_id)
                for follow in hooks.village_followers:
                    follow(household.pk, household.village_id)
            record_audit(
                actor=Actor.of(user, client),
                action=action,
                object_type="household",
                object_id=household.pk,
                changes=changes,
            )
    return household


def update_household(
    *,
    user,
    household: Household,
    expected_version: int | None = None,
    village_code: str | None = None,
    address: str | None = None,
    hukou: str | None = None,
    alleviated: bool | None = None,
    client: str = "",
) -> Household:
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    values = {}
    if village_code is not None:
        values["village"] = selectors.get_village(user, village_code)
    if address is not None:
        if not address.strip():
            raise ValidationFailed("请填写住址。", field="address")
        values["address"] = address.strip()
    if hukou is not None:
        values["hukou"] = parse_choice(hukou, Hukou, "hukou", "户籍性质")
    if alleviated is not None:
        values["alleviated"] = bool(alleviated)
    return _save_household(user, household, values, expected_version, "household.update", client)


RISK_EVENTS = ("illness", "disaster", "accident", "unemployment", "education")
FACT_MONEY = ("financial_assets", "rigid_medical_12m", "rigid_education_12m", "rigid_rehabilitation_12m")
FACT_COUNTS = ("homes", "company_roles")


def update_household_facts(
    *,
    user,
    household: Household,
    expected_version: int | None = None,
    facts: dict,
    client: str = "",
) -> Household:
    """Declared assets, rigid expenditure, outside supporters and risk events (POLICY.md §3, §5, §7, §8).

    `facts` may hold any of: financial_assets, rigid_medical_12m, rigid_education_12m,
    rigid_rehabilitation_12m (yuan), homes, company_roles (counts), home_bought_within_year (bool),
    vehicles [{"value", "exempt"}], supporters [{"relation", "able"}], risk_events [names],
    risk_judgement (True at risk / False not at risk / None not judged) with risk_judgement_reason
    (required with a judgement), single_person_applicant (a current counted member's person id
    applying as a one-person household, 民发〔2021〕57号 第九条; 0 or None withdraws it).
    """
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    unknown = set(facts) - {
        *FACT_MONEY,
        *FACT_COUNTS,
        "home_bought_within_year",
        "vehicles",
        "supporters",
        "risk_events",
        "risk_judgement",
        "risk_judgement_reason",
        "single_person_applicant",
    }
    if unknown:
        raise ValidationFailed(f"未知字段：{'、'.join(sorted(unknown))}。", field=sorted(unknown)[0])
    values: dict = {}
    for name in FACT_MONEY:
        if name in facts:
            values[name] = parse_money(facts[name], name)
    for name in FACT_COUNTS:
        if name in facts:
            value = facts[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 50:
                raise ValidationFailed("应为0至50之间的整数。", field=name)
            values[name] = value
    if "home_bought_within_year" in facts:
        values["home_bought_within_year"] = bool(facts["home_bought_within_year"])
    if "vehicles" in facts:
        vehicles = []
        for i, v in enumerate(facts["vehicles"] or []):
            if not isinstance(v, dict):
                raise ValidationFailed("车辆应包含价值与是否豁免。", field=f"vehicles[{i}]")
            amount = parse_money(v.get("value"), f"vehicles[{i}].value")
            vehicles.append({"value": str(amount), "exempt": bool(v.get("exempt"))})
        values["vehicles"] = vehicles
    if "supporters" in facts:
        supporters = []
        for i, sup in enumerate(facts["supporters"] or []):
            if not isinstance(sup, dict) or not isinstance(sup.get("able"), bool):
                raise ValidationFailed(
                    "赡养（抚养、扶养）义务人须注明是否有赡养能力。", field=f"supporters[{i}].able"
                )
            supporters.append({"relation": str(sup.get("relation") or "other"), "able": sup["able"]})
        values["supporters"] = supporters
    if "risk_events" in facts:
        events = list(dict.fromkeys(facts["risk_events"] or []))
        bad = [e for e in events if e not in RISK_EVENTS]
        if bad:
            raise ValidationFailed(f"未知的风险事件：{'、'.join(map(str, bad))}。", field="risk_events")
        values["risk_events"] = events
    if "risk_judgement" in facts:
        judgement = facts["risk_judgement"]
        if judgement is not None and not isinstance(judgement, bool):
            raise ValidationFailed("风险研判应为“有风险”“无风险”或“未研判”。", field="risk_judgement")
        reason = str(facts.get("risk_judgement_reason") or "").strip()[:2000]
        if judgement is not None and not reason:
            raise ValidationFailed("请写明风险研判的理由。", field="risk_judgement_reason")
        values["risk_judgement"], values["risk_judgement_reason"] = judgement, reason
    if "single_person_applicant" in facts:
        values["single_person_applicant_id"] = _single_person_applicant(
            household, facts["single_person_applicant"]
        )
    return _save_household(user, household, values, expected_version, "household.update_facts", client)


def _single_person_applicant(household: Household, person_id) -> int | None:
    """The one-person applicant must be a current, counted member; whether they qualify (adult,
    severe disability, unemployed) is the policy engine's to say when it assesses."""
    if person_id in (None, 0, ""):
        return None
    member = household.memberships.filter(left_on__isnull=True, counted=True, person_id=person_id).first()
    if member is None or isinstance(person_id, bool):
        raise ValidationFailed("单人户申请人应为本户计入的共同生活成员。", field="single_person_applicant")
    return member.person_id


def _withdraw_single_person_application(household: Household, m: Membership) -> dict:
    """When the one-person applicant leaves or stops being counted, the application goes with them
    (the engine would refuse an applicant who is not a counted member). Returns the audit changes."""
    if household.single_person_applicant_id != m.person_id or (m.current and m.counted):
        return {}
    Household.objects.filter(pk=household.pk).update(single_person_applicant=None)
    household.single_person_applicant_id = None
    return {"single_person_applicant_id": [m.person_id, None]}


def add_member(
    *,
    user,
    household: Household,
    person: PersonInput,
    membership: MembershipInput,
    expected_version: int | None = None,
    client: str = "",
) -> Membership:
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    pvals, mvals = clean_person(person), clean_membership(membership)
    if mvals["relation"] == Relation.HEAD and household.head_id:
        raise ValidationFailed("本户已有户主。", field="relation")
    actor = Actor.of(user, client)
    with transaction.atomic():
        _bump_version(household, expected_version)
        if Membership.objects.filter(
            household=household, person__id_index=blind_index(pvals["id_number"]), left_on__isnull=True
        ).exists():
            raise Conflict("此人已是本户成员。", code="duplicate_member", field="id_number")
        p = _upsert_person(user, actor, pvals, household=household, counted=mvals["counted"], prefix="")
        m = _create_membership(household, p, mvals, "")
        if mvals["relation"] == Relation.HEAD:
            household.head = p
            household.save(update_fields=["head"])
        record_audit(
            actor=actor,
            action="membership.create",
            object_type="household",
            object_id=household.pk,
            changes={"person": [None, p.pk], **{k: [None, _shown(k, v)] for k, v in mvals.items()}},
        )
    return m


def update_member(
    *,
    user,
    household: Household,
    membership: Membership,
    person: PersonInput,
    membership_data: MembershipInput,
    expected_version: int | None = None,
    client: str = "",
) -> Membership:
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    m = selectors.get_membership(user, household, membership.pk)
    if not m.current:
        raise ValidationFailed("已离开本户的成员不能修改。", field="membership")
    pvals, mvals = clean_person(person), clean_membership(membership_data)
    mvals.pop("joined_on")
    if blind_index(pvals["id_number"]) != m.person.id_index:
        raise ValidationFailed(
            "身份证号码不能在此修改；号码登记错误请删除该成员后重新添加。", field="id_number"
        )
    if mvals["relation"] == Relation.HEAD and household.head_id and household.head_id != m.person_id:
        raise ValidationFailed("本户已有户主。", field="relation")
    if household.head_id == m.person_id and mvals["relation"] != Relation.HEAD:
        raise ValidationFailed("户主的关系不能在此修改，请办理户主变更。", field="relation")
    actor = Actor.of(user, client)
    with transaction.atomic():
        _bump_version(household, expected_version)
        if mvals["counted"] and not m.counted:
            _check_not_counted_elsewhere(user, m.person, household, "not_counted_reason")
        person_changes = _apply(m.person, pvals)
        if person_changes:
            _save_person(m.person, person_changes)
            record_audit(
                actor=actor,
                action="person.update",
                object_type="person",
                object_id=m.person_id,
                changes=person_changes,
            )
        member_changes = _apply(m, mvals)
        if member_changes:
            try:
                with transaction.atomic():
                    m.save()
            except IntegrityError:
                raise Conflict(
                    "此人已在另一户计入共同生活家庭成员。",
                    code="member_in_other_household",
                    field="not_counted_reason",
                ) from None
            member_changes.update(_withdraw_single_person_application(household, m))
            record_audit(
                actor=actor,
                action="membership.update",
                object_type="household",
                object_id=household.pk,
                changes={"person": [m.person_id, m.person_id], **member_changes},
            )
    return m


def end_membership(
    *,
    user,
    household: Household,
    membership: Membership,
    left_on: dt.date,
    reason: str,
    expected_version: int | None = None,
    client: str = "",
) -> Membership:
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    m = selectors.get_membership(user, household, membership.pk)
    if not m.current:
        raise ValidationFailed("该成员已离开本户。", field="membership")
    if not (reason or "").strip():
        raise ValidationFailed("请填写离开原因（如迁出、死亡、分户）。", field="left_reason")
    if left_on < m.joined_on:
        raise ValidationFailed("离开日期不能早于加入日期。", field="left_on")
    if household.head_id == m.person_id:
        raise ValidationFailed("户主不能直接离开，请先变更户主。", field="membership")
    actor = Actor.of(user, client)
    with transaction.atomic():
        _bump_version(household, expected_version)
        m.left_on, m.left_kind, m.left_reason = left_on, ChangeKind.OTHER, reason.strip()
        m.save(update_fields=["left_on", "left_kind", "left_reason"])
        record_audit(
            actor=actor,
            action="membership.end",
            object_type="household",
            object_id=household.pk,
            changes={
                "person": [m.person_id, m.person_id],
                "left_on": [None, left_on.isoformat()],
                **_withdraw_single_person_application(household, m),
            },
            reason=reason,
        )
        announce(
            household=household,
            kind=ChangeKind.OTHER,
            date=left_on,
            reason=reason.strip(),
            actor=actor,
            persons=[m.person_id],
        )
    return m


def reveal_person(*, user, person_id, reason: str, client: str = "") -> dict:
    """Unmasked identifiers of one person: needs the permission and a reason, and is audited."""
    _require(user, Perm.UNMASK_PERSONAL_DATA)
    person = selectors.get_person(user, person_id)
    if not (reason or "").strip():
        raise ValidationFailed("查看完整个人信息须填写原因。", field="reason")
    record_audit(
        actor=Actor.of(user, client),
        action="person.unmask",
        object_type="person",
        object_id=person.pk,
        changes={"fields": ["name", "id_number", "phone", "bank_account"]},
        reason=reason.strip(),
    )
    return {
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "bank_account": person.bank_account,
    }
