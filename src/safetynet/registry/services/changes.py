"""家庭变化: a family's changes over time — change of head, a member leaves, a member joins.

Each service takes the acting user, checks the permission and the user's reach (the household is
re-fetched through the selectors, so a household outside the area is "not found"), validates
everything before writing, writes in one transaction under the household's optimistic lock,
appends its audit record with the reason and the date, and announces the change
(`hooks.household_changed`) once the transaction has committed.

Membership rows are dated and never deleted: a member who leaves gets `left_on`, `left_kind` and
`left_reason`; a change of counting status (服刑) closes the row and opens the next one.

Choices made here (docs/registry.md):
- The head cannot leave while head: the same call must name the new head (`new_head`), chosen
  among the other current members. A deceased head is recorded as a death with the new head.
- 服刑 (POLICY.md §1): the member stays registered but is not counted (NotCountedReason.PRISON).
- 全日制就读 (POLICY.md §1: adult children in full-time study at bachelor level or below are
  counted): the member stays registered and counted; the study is recorded on the person.
- A change may not be dated after today (core/clock) nor before the member's `joined_on`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core import clock
from safetynet.core.errors import Conflict, ValidationFailed
from safetynet.registry import selectors
from safetynet.registry.fields import blind_index
from safetynet.registry.inputs import (
    MembershipInput,
    PersonInput,
    clean_membership,
    clean_person,
    parse_choice,
)
from safetynet.registry.models import (
    ChangeKind,
    Household,
    Membership,
    NotCountedReason,
    Person,
    Relation,
)
from safetynet.registry.services.hooks import announce, open_cases
from safetynet.registry.services.households import (
    _bump_version,
    _check_not_counted_elsewhere,
    _check_version,
    _create_membership,
    _require,
    _upsert_person,
    _withdraw_single_person_application,
)

LEAVE_KINDS = (
    ChangeKind.DEATH,
    ChangeKind.MARRIAGE_OUT,
    ChangeKind.MOVE_OUT,
    ChangeKind.PRISON,
    ChangeKind.STUDY,
    ChangeKind.OTHER,
    ChangeKind.RELEASE,
    ChangeKind.STUDY_END,
)
JOIN_KINDS = (ChangeKind.BIRTH, ChangeKind.MARRIAGE_IN, ChangeKind.MOVE_IN)
# Kinds after which the member is no longer in the household at all.
ENDING_KINDS = (ChangeKind.DEATH, ChangeKind.MARRIAGE_OUT, ChangeKind.MOVE_OUT, ChangeKind.OTHER)


# ---- shared checks ---------------------------------------------------------------------------


def check_change_date(day, field: str, *, not_before: dt.date | None = None, what: str = "") -> dt.date:
    """A change is dated today or earlier, and not before the date it follows (`not_before`)."""
    if not isinstance(day, dt.date):
        raise ValidationFailed("请填写变化日期。", field=field)
    today = clock.today()
    if day > today:
        raise ValidationFailed(f"变化日期不能晚于今天（{today.isoformat()}）。", field=field)
    if not_before is not None and day < not_before:
        raise ValidationFailed(
            f"变化日期不能早于{what or '该成员加入本户的日期'}（{not_before.isoformat()}）。", field=field
        )
    return day


def require_reason(reason, field: str = "reason", *, label: str = "变更原因") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(text) > 200:
        raise ValidationFailed(f"{label}不能超过200个字。", field=field)
    return text


def parse_relation(value, field: str) -> str:
    relation = parse_choice(value, Relation, field, "与户主关系")
    if relation == Relation.HEAD:
        raise ValidationFailed("户主只能通过“户主变更”指定。", field=field)
    return relation


def current_member(household: Household, membership_id, field: str) -> Membership:
    """A current member of this household, by membership id, or a field error."""
    try:
        pk = int(membership_id)
    except (TypeError, ValueError):
        pk = None
    m = (
        household.memberships.filter(pk=pk, left_on__isnull=True).select_related("person").first()
        if pk is not None and not isinstance(membership_id, bool)
        else None
    )
    if m is None:
        raise ValidationFailed("应为本户的现有成员。", code="not_a_current_member", field=field)
    return m


def parse_relations(household: Household, relations, *, exclude: set[int], field: str = "relations") -> dict:
    """{membership id: new relation} for current members other than `exclude`: {Membership: relation}."""
    out = {}
    for key, value in (relations or {}).items():
        m = current_member(household, key, f"{field}[{key}]")
        if m.pk in exclude:
            raise ValidationFailed("户主及新户主的关系不在此处填写。", field=f"{field}[{key}]")
        out[m] = parse_relation(value, f"{field}[{key}]")
    return out


def close_row(m: Membership, *, on: dt.date, kind: str, reason: str) -> None:
    m.left_on, m.left_kind, m.left_reason = on, kind, reason[:200]
    m.save(update_fields=["left_on", "left_kind", "left_reason"])


def open_row(household: Household, m: Membership, *, on: dt.date, kind: str, **values) -> Membership:
    """The next row of a member: the same person and standing unless `values` say otherwise."""
    fields = {
        "relation": m.relation,
        "co_resident": m.co_resident,
        "not_counted_reason": m.not_counted_reason,
        "counted": m.counted,
        **values,
    }
    return _create_membership(
        household, m.person, {**fields, "joined_on": on, "joined_kind": kind}, prefix=""
    )


def with_open_cases(household: Household, changes: dict) -> dict:
    """Changes to a household with an open case are allowed, and the audit record says so."""
    cases = open_cases(household.pk)
    return {**changes, "open_cases": [None, cases]} if cases else changes


def set_relations(relations: dict) -> dict:
    """Apply {Membership: relation}; return the audit changes keyed by person."""
    changes = {}
    for m, relation in relations.items():
        if m.relation != relation:
            changes[f"relation[{m.person_id}]"] = [m.relation, relation]
            m.relation = relation
            m.save(update_fields=["relation"])
    return changes


def _make_head(household: Household, new: Membership) -> dict:
    before = household.head_id
    new.relation = Relation.HEAD
    new.save(update_fields=["relation"])
    household.head = new.person
    household.save(update_fields=["head"])
    return {"head": [before, new.person_id]}


# ---- 户主变更 -------------------------------------------------------------------------------


def change_head(
    *,
    user,
    household: Household,
    new_head,
    old_head_relation: str,
    changed_on: dt.date,
    reason: str,
    relations: dict | None = None,
    expected_version: int | None = None,
    client: str = "",
) -> Household:
    """户主变更: `new_head` (a current member's membership id) becomes head; the old head stays a
    member with `old_head_relation` to the new one; `relations` re-sets other members' relation
    ({membership id: relation}). For a deceased or departing head use `record_leave(new_head=…)`."""
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    _check_version(household, expected_version)
    reason = require_reason(reason)
    new = current_member(household, new_head, "new_head")
    if new.person_id == household.head_id:
        raise ValidationFailed("该成员已是户主。", field="new_head")
    old = household.memberships.filter(person_id=household.head_id, left_on__isnull=True).first()
    old_relation = parse_relation(old_head_relation, "old_head_relation") if old else None
    others = parse_relations(household, relations, exclude={new.pk, old.pk if old else -1})
    check_change_date(
        changed_on, "changed_on", not_before=max(new.joined_on, old.joined_on if old else new.joined_on)
    )
    actor = Actor.of(user, client)
    with transaction.atomic():
        _bump_version(household, expected_version)
        changes = _make_head(household, new)
        if old:
            changes.update(set_relations({old: old_relation}))
        changes.update(set_relations(others))
        changes["changed_on"] = [None, changed_on.isoformat()]
        record_audit(
            actor=actor,
            action="household.change_head",
            object_type="household",
            object_id=household.pk,
            changes=with_open_cases(household, changes),
            reason=reason,
        )
        announce(
            household=household,
            kind=ChangeKind.HEAD_CHANGE,
            date=changed_on,
            reason=reason,
            actor=actor,
            persons=[new.person_id, *([old.person_id] if old else [])],
        )
    return household


# ---- 成员减少 -------------------------------------------------------------------------------


def _recorded_reason(kind: str, reason) -> str:
    """The reason as recorded: the kind's name, and the officer's words (required for 其他)."""
    text = (reason or "").strip()
    if kind == ChangeKind.OTHER:
        return require_reason(text, label="离开原因")
    if len(text) > 180:
        raise ValidationFailed("说明不能超过180个字。", field="reason")
    label = ChangeKind(kind).label
    return f"{label}：{text}" if text else label


def record_leave(
    *,
    user,
    household: Household,
    membership,
    kind: str,
    left_on: dt.date,
    reason: str = "",
    new_head=None,
    relations: dict | None = None,
    expected_version: int | None = None,
    client: str = "",
) -> Household:
    """成员减少: a member dies, marries out, moves out, enters prison, goes to full-time study, or
    leaves for another reason (`kind`; for 其他 the reason is required). The head leaves only with
    `new_head` named in the same call; `relations` may re-set the others' relation to the new head.
    """
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    _check_version(household, expected_version)
    if kind not in LEAVE_KINDS:
        raise ValidationFailed(
            "请选择成员变化的情形（死亡、婚出、迁出、服刑、全日制就读、其他、刑满释放或结束全日制就读）。",
            field="kind",
        )
    m = current_member(household, membership, "membership")
    text = _recorded_reason(kind, reason)
    check_change_date(left_on, "left_on", not_before=m.joined_on)
    person: Person = m.person
    if kind == ChangeKind.DEATH:
        if left_on < person.birth_date:
            raise ValidationFailed("死亡日期不能早于出生日期。", field="left_on")
        if person.died_on:
            raise Conflict(
                f"此人已于{person.died_on.isoformat()}登记死亡。", code="already_dead", field="membership"
            )
    if kind == ChangeKind.PRISON and m.not_counted_reason == NotCountedReason.PRISON:
        raise Conflict("该成员已登记为服刑人员。", code="already_recorded", field="kind")
    if kind == ChangeKind.STUDY and person.fulltime_education:
        raise Conflict("该成员已登记为全日制在校。", code="already_recorded", field="kind")
    if kind == ChangeKind.RELEASE:
        if m.not_counted_reason != NotCountedReason.PRISON:
            raise Conflict("该成员未登记为服刑人员，不能登记刑满释放。", code="not_recorded", field="kind")
        _check_not_counted_elsewhere(user, person, household, "kind")
    if kind == ChangeKind.STUDY_END and not person.fulltime_education:
        raise Conflict("该成员未登记为全日制在校，不能登记结束就读。", code="not_recorded", field="kind")
    elsewhere = _held_elsewhere(person, household) if kind == ChangeKind.DEATH else []
    is_head = household.head_id == person.pk
    successor = None
    if is_head and kind in ENDING_KINDS:
        if new_head in (None, ""):
            raise ValidationFailed(
                "户主离开本户时须同时指定新户主（或先办理户主变更）。",
                code="head_must_change",
                field="new_head",
            )
        successor = current_member(household, new_head, "new_head")
        if successor.pk == m.pk:
            raise ValidationFailed("新户主不能是离开的成员本人。", field="new_head")
    elif new_head not in (None, ""):
        raise ValidationFailed("只有户主离开本户时才需指定新户主。", field="new_head")
    others = parse_relations(household, relations, exclude={m.pk, successor.pk if successor else -1})
    actor = Actor.of(user, client)
    with transaction.atomic():
        _bump_version(household, expected_version)
        changes: dict = {
            "person": [person.pk, person.pk],
            "kind": [None, kind],
            "on": [None, left_on.isoformat()],
        }
        if kind in (ChangeKind.STUDY, ChangeKind.STUDY_END):
            # Counted still (POLICY.md §1); the membership row goes on, the person records the study.
            studying = kind == ChangeKind.STUDY
            person.fulltime_education = studying
            person.save(update_fields=["fulltime_education", "updated_at"])
            changes["fulltime_education"] = [not studying, studying]
            action = "membership.status"
        elif kind == ChangeKind.RELEASE:
            close_row(m, on=left_on, kind=ChangeKind.RELEASE, reason=text)
            m = open_row(
                household,
                m,
                on=left_on,
                kind=ChangeKind.STATUS,
                co_resident=True,
                not_counted_reason="",
                counted=True,
            )
            changes["counted"] = [False, True]
            action = "membership.status"
        elif kind == ChangeKind.PRISON:
            was_counted = m.counted
            close_row(m, on=left_on, kind=ChangeKind.PRISON, reason=text)
            m = open_row(
                household,
                m,
                on=left_on,
                kind=ChangeKind.STATUS,
                co_resident=False,
                not_counted_reason=NotCountedReason.PRISON,
                counted=False,
            )
            changes["counted"] = [was_counted, False]
            changes.update(_withdraw_single_person_application(household, m))
            action = "membership.status"
        else:
            close_row(m, on=left_on, kind=kind, reason=text)
            changes.update(_withdraw_single_person_application(household, m))
            action = "membership.leave"
            if kind == ChangeKind.DEATH:
                person.died_on = left_on
                person.save(update_fields=["died_on", "updated_at"])
                record_audit(
                    actor=actor,
                    action="person.update",
                    object_type="person",
                    object_id=person.pk,
                    changes={"died_on": [None, left_on.isoformat()]},
                    reason=text,
                )
                for other in elsewhere:
                    _close_elsewhere(other, on=left_on, reason=text, actor=actor, source=household)
        if successor:
            changes.update(_make_head(household, successor))
        changes.update(set_relations(others))
        record_audit(
            actor=actor,
            action=action,
            object_type="household",
            object_id=household.pk,
            changes=with_open_cases(household, changes),
            reason=text,
        )
        persons = [person.pk, *([successor.person_id] if successor else [])]
        announce(household=household, kind=kind, date=left_on, reason=text, actor=actor, persons=persons)
        if successor:
            announce(
                household=household,
                kind=ChangeKind.HEAD_CHANGE,
                date=left_on,
                reason=text,
                actor=actor,
                persons=persons,
            )
    return household


def _held_elsewhere(person: Person, household: Household) -> list[Membership]:
    """The person's current rows in other households (registered there, not counted): a death ends
    them too. A deceased head of another household needs its head changed there first."""
    rows = list(
        Membership.objects.filter(person=person, left_on__isnull=True)
        .exclude(household=household)
        .select_related("household")
    )
    for other in rows:
        if other.household.head_id == person.pk:
            raise Conflict(
                f"此人还是户{other.household_id}的户主，请先在该户办理户主变更，再登记死亡。",
                code="head_elsewhere",
                field="membership",
            )
    return rows


def _close_elsewhere(m: Membership, *, on: dt.date, reason: str, actor: Actor, source: Household) -> None:
    """A death recorded in `source` ends the person's row in another household, audited there and
    announced to it (a recipient household gets its change case)."""
    other = m.household
    _bump_version(other, None)
    close_row(m, on=on, kind=ChangeKind.DEATH, reason=reason)
    record_audit(
        actor=actor,
        action="membership.leave",
        object_type="household",
        object_id=other.pk,
        changes=with_open_cases(
            other,
            {
                "person": [m.person_id, m.person_id],
                "kind": [None, ChangeKind.DEATH],
                "on": [None, on.isoformat()],
                "recorded_in": [None, source.pk],
            },
        ),
        reason=reason,
    )
    announce(
        household=other, kind=ChangeKind.DEATH, date=on, reason=reason, actor=actor, persons=[m.person_id]
    )


# ---- 成员增加 -------------------------------------------------------------------------------


def record_join(
    *,
    user,
    household: Household,
    kind: str,
    person: PersonInput,
    relation: str,
    joined_on: dt.date,
    reason: str = "",
    co_resident: bool = True,
    not_counted_reason: str = "",
    expected_version: int | None = None,
    client: str = "",
) -> Household:
    """成员增加: a birth (a new person, child or grandchild of the head), a marriage in, or a move in.
    A person counted as a member of another household must leave there first."""
    _require(user, Perm.EDIT_HOUSEHOLD)
    household = selectors.get_household(user, household.pk)
    _check_version(household, expected_version)
    if kind not in JOIN_KINDS:
        raise ValidationFailed("请选择成员增加的情形（出生、婚入或迁入）。", field="kind")
    pvals = clean_person(person)
    rel = parse_relation(relation, "relation")
    if kind == ChangeKind.BIRTH and rel not in (Relation.CHILD, Relation.GRANDCHILD):
        raise ValidationFailed("新生儿与户主的关系应为子女或孙子女。", field="relation")
    mvals = clean_membership(
        MembershipInput(
            relation=rel, co_resident=co_resident, not_counted_reason=not_counted_reason, joined_on=joined_on
        )
    )
    text = _recorded_reason(kind, reason)
    index = blind_index(pvals["id_number"])
    existing = Person.objects.filter(id_index=index).first()
    if kind == ChangeKind.BIRTH and existing is not None:
        raise Conflict(
            "此人已登记在册；出生登记只适用于新生儿，请选择迁入或婚入。",
            code="person_exists",
            field="id_number",
        )
    check_change_date(joined_on, "joined_on", not_before=pvals["birth_date"], what="出生日期")
    if existing is not None:
        if existing.name != pvals["name"]:
            raise ValidationFailed(
                "姓名与该身份证号码登记的姓名不符，请核对。", code="name_mismatch", field="name"
            )
        if existing.died_on:
            raise ValidationFailed(f"此人已于{existing.died_on.isoformat()}登记死亡。", field="id_number")
        if household.memberships.filter(person=existing, left_on__isnull=True).exists():
            raise Conflict("此人已是本户成员。", code="duplicate_member", field="id_number")
        last_left = (
            Membership.objects.filter(person=existing, left_on__isnull=False).order_by("-left_on").first()
        )
        if last_left and joined_on < last_left.left_on:
            raise ValidationFailed(
                f"加入日期不能早于此人离开原户的日期（{last_left.left_on.isoformat()}）。", field="joined_on"
            )
    actor = Actor.of(user, client)
    with transaction.atomic():
        _bump_version(household, expected_version)
        if existing is None:
            p = _upsert_person(user, actor, pvals, household=household, counted=True, prefix="")
        else:
            # Someone registered joins: linked as they are (the join form holds only their name and
            # number, so nothing of their record is overwritten from it).
            p = existing
            if mvals["counted"]:
                _check_not_counted_elsewhere(user, p, household, "id_number")
        m = _create_membership(household, p, {**mvals, "joined_kind": kind}, "")
        changes = {
            "person": [None, p.pk],
            "kind": [None, kind],
            "on": [None, joined_on.isoformat()],
            "relation": [None, m.relation],
            "counted": [None, m.counted],
        }
        record_audit(
            actor=actor,
            action="membership.join",
            object_type="household",
            object_id=household.pk,
            changes=with_open_cases(household, changes),
            reason=text,
        )
        announce(household=household, kind=kind, date=joined_on, reason=text, actor=actor, persons=[p.pk])
    return household
