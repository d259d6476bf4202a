"""分户 and 合户: a household split in two, two households merged into one.

As every family change (changes.py): permission and reach checked, everything validated before a
write, one transaction under both households' optimistic locks, audited with reason and date,
announced after commit. Members move by closing their row in one household and opening the next
in the other, on the same date; the household emptied by a merge is closed (`closed_on`,
`closed_reason`), never deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import NotFound, SafetynetError, ValidationFailed
from safetynet.registry import selectors
from safetynet.registry.models import ChangeKind, Household, Relation
from safetynet.registry.services.changes import (
    check_change_date,
    close_row,
    current_member,
    open_row,
    parse_relation,
    require_reason,
    with_open_cases,
)
from safetynet.registry.services.hooks import announce
from safetynet.registry.services.households import (
    _bump_version,
    _check_version,
    _require,
    _withdraw_single_person_application,
)


@dataclass
class Mover:
    """One member moving in a split: their membership id and their relation to the new head
    (ignored for the new head)."""

    membership: int
    relation: str = ""


def split_household(
    *,
    user,
    household: Household,
    members: list[Mover],
    new_head,
    split_on: dt.date,
    reason: str,
    address: str = "",
    village_code: str = "",
    expected_version: int | None = None,
    client: str = "",
) -> Household:
    """分户: the named members leave `household` for a new one headed by `new_head` (one of them),
    in the same village and at the same address unless others are given. The head of the original
    household stays in it (change the head first to move them). Returns the new household."""
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    _check_version(household, expected_version)
    reason = require_reason(reason)
    if not members:
        raise ValidationFailed("请选择分出的成员。", field="members")
    moving, relations, seen = [], {}, set()
    for i, mover in enumerate(members):
        m = current_member(household, mover.membership, f"members[{i}].membership")
        if m.pk in seen:
            raise ValidationFailed("同一成员重复选择。", field=f"members[{i}].membership")
        seen.add(m.pk)
        if m.person_id == household.head_id:
            raise ValidationFailed(
                "原户户主不能随分户迁出；如需迁出，请先办理户主变更。",
                code="head_must_change",
                field=f"members[{i}].membership",
            )
        moving.append(m)
        relations[m.pk] = mover.relation, f"members[{i}].relation"
    head = current_member(household, new_head, "new_head")
    if head.pk not in seen:
        raise ValidationFailed("新户主应为分出的成员之一。", field="new_head")
    relations = {
        pk: Relation.HEAD if pk == head.pk else parse_relation(value, field)
        for pk, (value, field) in relations.items()
    }
    check_change_date(
        split_on, "split_on", not_before=max(m.joined_on for m in moving), what="分出成员加入本户的日期"
    )
    village = selectors.get_village(user, village_code) if village_code else household.village
    address = (address or "").strip() or household.address
    if len(address) > 200:
        raise ValidationFailed("住址不能超过200个字。", field="address")
    actor = Actor.of(user, client)
    with transaction.atomic():
        _bump_version(household, expected_version)
        new = Household.objects.create(
            village=village, address=address, hukou=household.hukou, alleviated=household.alleviated
        )
        withdrawn: dict = {}
        for m in moving:
            close_row(m, on=split_on, kind=ChangeKind.SPLIT, reason=f"分户：{reason}")
            withdrawn.update(_withdraw_single_person_application(household, m))
            open_row(new, m, on=split_on, kind=ChangeKind.SPLIT, relation=relations[m.pk])
        new.head = head.person
        new.save(update_fields=["head"])
        persons = [m.person_id for m in moving]
        record_audit(
            actor=actor,
            action="household.split",
            object_type="household",
            object_id=household.pk,
            changes=with_open_cases(
                household,
                {
                    "new_household": [None, new.pk],
                    "persons": [None, persons],
                    "on": [None, split_on.isoformat()],
                    **withdrawn,
                },
            ),
            reason=reason,
        )
        record_audit(
            actor=actor,
            action="household.create",
            object_type="household",
            object_id=new.pk,
            changes={
                "split_from": [None, household.pk],
                "village": [None, village.code],
                "address": [None, address],
                "hukou": [None, new.hukou],
                "alleviated": [None, new.alleviated],
                "head": [None, head.person_id],
                "members": [None, len(moving)],
                "on": [None, split_on.isoformat()],
            },
            reason=reason,
        )
        announce(
            household=household,
            kind=ChangeKind.SPLIT,
            date=split_on,
            reason=reason,
            actor=actor,
            related=new,
            persons=persons,
        )
    return new


def merge_households(
    *,
    user,
    household: Household,
    other: Household,
    relations: dict,
    merged_on: dt.date,
    reason: str,
    expected_version: int | None = None,
    other_version: int | None = None,
    client: str = "",
) -> Household:
    """合户: every current member of `other` joins `household`, with their relation to its head
    (`relations`: {membership id in `other`: relation}, one for each); `other` is closed."""
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    _check_version(household, expected_version)
    try:
        other = selectors.get_household(user, getattr(other, "pk", other))
    except NotFound as error:
        error.field = "other"
        raise
    if other.pk == household.pk:
        raise ValidationFailed("不能与本户合户。", field="other")
    try:
        _check_version(other, other_version)
    except SafetynetError as error:  # say which of the two households
        error.field = "other" if error.field == "household" else "other_version"
        raise
    reason = require_reason(reason)
    members = list(selectors.current_members(other))
    given = {str(k): v for k, v in (relations or {}).items()}
    unknown = set(given) - {str(m.pk) for m in members}
    if unknown:
        key = sorted(unknown)[0]
        current_member(other, key, f"relations[{key}]")  # names the field of a non-member
    moves = []
    for m in members:
        value = given.get(str(m.pk))
        if value in (None, ""):
            raise ValidationFailed(
                f"请填写{m.person.name}与本户户主的关系。",
                code="relation_required",
                field=f"relations[{m.pk}]",
            )
        moves.append((m, parse_relation(value, f"relations[{m.pk}]")))
    latest = max((m.joined_on for m in members), default=None)
    check_change_date(merged_on, "merged_on", not_before=latest, what="并入成员加入原户的日期")
    actor = Actor.of(user, client)
    with transaction.atomic():
        # Both locks, the lower id first, so two merges of the same pair cannot deadlock.
        for h, expected in sorted(
            ((household, expected_version), (other, other_version)), key=lambda pair: pair[0].pk
        ):
            _bump_version(h, expected)
        for m, relation in moves:
            close_row(m, on=merged_on, kind=ChangeKind.MERGE, reason=f"合户：{reason}")
            open_row(household, m, on=merged_on, kind=ChangeKind.MERGE, relation=relation)
        other.closed_on, other.closed_reason = merged_on, f"合户并入户{household.pk}：{reason}"[:200]
        withdrawn = other.single_person_applicant_id
        other.single_person_applicant = None
        other.save(update_fields=["closed_on", "closed_reason", "single_person_applicant"])
        persons = [m.person_id for m, _ in moves]
        record_audit(
            actor=actor,
            action="household.merge",
            object_type="household",
            object_id=household.pk,
            changes=with_open_cases(
                household,
                {
                    "merged_from": [None, other.pk],
                    "persons": [None, persons],
                    "relations": [None, {str(m.person_id): r for m, r in moves}],
                    "on": [None, merged_on.isoformat()],
                },
            ),
            reason=reason,
        )
        closing = {"closed_on": [None, merged_on.isoformat()], "merged_into": [None, household.pk]}
        if withdrawn:
            closing["single_person_applicant_id"] = [withdrawn, None]
        record_audit(
            actor=actor,
            action="household.close",
            object_type="household",
            object_id=other.pk,
            changes=with_open_cases(other, closing),
            reason=reason,
        )
        announce(
            household=household,
            kind=ChangeKind.MERGE,
            date=merged_on,
            reason=reason,
            actor=actor,
            related=other,
            persons=persons,
        )
    return household
