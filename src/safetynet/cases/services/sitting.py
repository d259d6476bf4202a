"""乡镇审核确认 in a sitting (会议) of the township 低收入人口审核确认领导小组 (seed 二(二)2).

The group decides 低保, 特困, 边缘, 刚性 and 防返贫监测 together, several cases in one sitting. A
sitting records its day, who attended (users of the township's review roles, at least
`procedure.review_group_quorum`), the cases on its agenda with the decision proposed for each
(what `TownshipDecision` freezes, or a refusal with its reason) and the group's vote, and the
leader's confirmation. A decision takes effect — the case moves to the notice, the county
leading group, county filing or refusal — only when the group's leader (`Perm.CONFIRM_SITTING`)
confirms the sitting; until then the case stays in township_decision with its decision pending.
A case whose vote did not pass, or was not voted, stays undecided for a later sitting.

Locks: every write on a sitting bumps its version (the leader confirms the version they saw); a
write about a case on the agenda also takes the case's optimistic lock, always sitting first and
then case, so two writers never wait on each other in opposite order.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm, Role
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import notifications, selectors
from safetynet.cases.models import Case, Sitting, SittingItem, TownshipDecision
from safetynet.cases.services.base import _lock, _params, _refuse_locked, _require_state
from safetynet.cases.services.checks import _require, _text
from safetynet.cases.services.decision import decision_fields, take_effect
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import Conflict, ValidationFailed
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.models import Area

ACTIONS = ("confirm", "override", "refuse")


# ---- rules ---------------------------------------------------------------------------------------


def quorum(township: Area, on: dt.date) -> int:
    """乡镇审核确认领导小组会议最少出席人数 (国办发〔2023〕39号; seed 二(二)2), a dated parameter."""
    return int(_params(township.code, on)["procedure.review_group_quorum"])


def vote_passes(*, votes_for: int, attendees: int) -> bool:
    """表决通过: more than half of those attending vote for (集体研究，少数服从多数).

    The seed says the group decides collectively and names no majority; a simple majority of the
    members present is the reading taken here (docs/procedure.md)."""
    return votes_for * 2 > attendees


def _check_quorum(township: Area, on: dt.date, count: int) -> None:
    need = quorum(township, on)
    if count < need:
        raise ValidationFailed(
            f"出席会议的审核确认小组成员为{count}人，少于规定的{need}人，不能作出审核确认决定。",
            code="below_quorum",
            field="attendee_ids",
        )


def _votes(votes_for, votes_against, abstentions) -> tuple[int, int, int] | None:
    """The vote as three counts, or None when none was given."""
    raw = {"votes_for": votes_for, "votes_against": votes_against, "abstentions": abstentions}
    if votes_for is None and votes_against is None:
        return None
    counts = []
    for field, value in raw.items():
        try:
            n = int(value or 0)
        except (TypeError, ValueError):
            raise ValidationFailed("票数应为整数。", field=field) from None
        if n < 0 or n > 1000:
            raise ValidationFailed("票数无效。", field=field)
        counts.append(n)
    return counts[0], counts[1], counts[2]


def _check_vote(sitting: Sitting, vote: tuple[int, int, int]) -> int:
    present = sitting.attendees.count()
    _check_quorum(sitting.township, sitting.held_on, present)
    if sum(vote) != present:
        raise ValidationFailed(
            f"赞成、反对、弃权票合计应等于出席人数{present}人。", code="vote_count", field="votes_for"
        )
    return present


def _panel(people) -> str:
    return "、".join(f"{u.display_name or u.username}（{u.role_label}）" for u in people)


# ---- helpers -------------------------------------------------------------------------------------


def _stale_sitting() -> Conflict:
    return Conflict("该会议已被他人修改，请刷新后重试。", code="stale_version", field="version")


def _lock_sitting(sitting: Sitting, expected_version: int | None = None) -> Sitting:
    """Re-read the sitting under a row lock, refuse a confirmed one or a stale form, bump the version."""
    fresh = Sitting.objects.select_for_update().select_related("township").get(pk=sitting.pk)
    if fresh.status != Sitting.Status.OPEN:
        raise Conflict("该会议已经组长确认，不能再修改。", code="sitting_confirmed")
    if expected_version is not None and int(expected_version) != fresh.version:
        raise _stale_sitting()
    Sitting.objects.filter(pk=fresh.pk).update(version=fresh.version + 1)
    fresh.version += 1
    return fresh


def _township(user, code: str) -> Area:
    if not code and user.area_id and user.area.level == Area.Level.TOWNSHIP:
        return user.area
    area = registry_selectors.areas_visible_to(user).filter(code=code, level=Area.Level.TOWNSHIP).first()
    if area is None:
        raise ValidationFailed("请选择您所辖的乡镇。", field="township")
    return area


def _attendees(township: Area, attendee_ids) -> list:
    ids = []
    for i, raw in enumerate(attendee_ids or []):
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise ValidationFailed("出席人员无效。", field=f"attendee_ids[{i}]") from None
    ids = list(dict.fromkeys(ids))
    members = {u.pk: u for u in selectors.review_group_members(township).filter(pk__in=ids)}
    for i, pk in enumerate(ids):
        if pk not in members:
            raise ValidationFailed("该用户不是本乡镇审核确认小组的成员。", field=f"attendee_ids[{i}]")
    return [members[pk] for pk in ids]


def _sitting_case(user, sitting: Sitting, case) -> Case:
    case = selectors.get_case(user, getattr(case, "pk", case))
    if case.household.village.parent_id != sitting.township_id:
        raise ValidationFailed("该案件不属于本次会议的乡镇。", code="other_township", field="case_id")
    return case


def _agenda_item(sitting: Sitting, case: Case, actor: Actor) -> SittingItem:
    """The case's item on this sitting's agenda, added if missing; a case waits on one sitting."""
    item = (
        SittingItem.objects.filter(case=case, status__in=SittingItem.LIVE).select_related("sitting").first()
    )
    if item is not None:
        if item.sitting_id != sitting.pk:
            raise Conflict(
                f"该案件已列入{item.sitting.held_on.isoformat()}审核确认小组会议的议程。",
                code="on_other_agenda",
                field="case_id",
            )
        return item
    try:
        with transaction.atomic():
            item = SittingItem.objects.create(sitting=sitting, case=case, round=case.round)
    except IntegrityError:
        raise Conflict("该案件已列入另一次会议的议程，请刷新后重试。", code="on_other_agenda") from None
    record_audit(
        actor=actor,
        action="sitting.add_case",
        object_type="sitting",
        object_id=sitting.pk,
        changes={"case": [None, case.reference]},
    )
    return item


def _set_vote(item: SittingItem, vote: tuple[int, int, int] | None, present: int) -> None:
    if vote is None:
        item.votes_for = item.votes_against = item.abstentions = None
        item.status = SittingItem.Status.PENDING
        return
    item.votes_for, item.votes_against, item.abstentions = vote
    passed = vote_passes(votes_for=vote[0], attendees=present)
    item.status = SittingItem.Status.PASSED if passed else SittingItem.Status.FAILED


def _tell_leaders(sitting: Sitting, item: SittingItem) -> None:
    if item.status != SittingItem.Status.PASSED:
        return
    leaders = selectors.review_group_members(sitting.township).filter(role=Role.REVIEW_LEADER.value)
    notifications.notify_users(
        leaders,
        case=item.case,
        kind="assigned",
        title=f"{item.case.reference}：审核确认小组会议（{sitting.held_on.isoformat()}）表决通过，待组长确认",
        key=f"sitting:{sitting.pk}:case:{item.case_id}:{item.case_version}",
    )


# ---- services ------------------------------------------------------------------------------------


def open_sitting(
    *, user, held_on: dt.date, attendee_ids, township: str = "", notes: str = "", client: str = ""
) -> Sitting:
    """Open a sitting of the township review group with who attended (at least a quorum)."""
    _require(user, Perm.TOWNSHIP_DECIDE, "召开审核确认小组会议")
    area = _township(user, township)
    if not isinstance(held_on, dt.date):
        raise ValidationFailed("请填写会议日期（年-月-日）。", field="held_on")
    if held_on > clock.today():
        raise ValidationFailed("会议日期不能晚于今天。", field="held_on")
    notes = _text(notes, "notes", "会议记录", required=False)
    people = _attendees(area, attendee_ids)
    _check_quorum(area, held_on, len(people))
    with transaction.atomic():
        sitting = Sitting.objects.create(township=area, held_on=held_on, notes=notes, opened_by=user)
        sitting.attendees.set(people)
        record_audit(
            actor=Actor.of(user, client),
            action="sitting.open",
            object_type="sitting",
            object_id=sitting.pk,
            changes={
                "township": [None, area.code],
                "held_on": [None, held_on.isoformat()],
                "attendees": [None, [u.username for u in people]],
            },
        )
    return sitting


def record_attendance(
    *, user, sitting, expected_version: int | None, attendee_ids, client: str = ""
) -> Sitting:
    """Who attended, while the sitting is open and before any vote."""
    sitting = selectors.get_sitting(user, getattr(sitting, "pk", sitting))
    _require(user, Perm.TOWNSHIP_DECIDE, "录入出席人员")
    people = _attendees(sitting.township, attendee_ids)
    _check_quorum(sitting.township, sitting.held_on, len(people))
    with transaction.atomic():
        sitting = _lock_sitting(sitting, expected_version)
        if sitting.items.filter(votes_for__isnull=False).exists():
            raise Conflict("已有表决结果，不能再修改出席人员。", code="votes_recorded", field="attendee_ids")
        before = sorted(sitting.attendees.values_list("username", flat=True))
        sitting.attendees.set(people)
        record_audit(
            actor=Actor.of(user, client),
            action="sitting.attendance",
            object_type="sitting",
            object_id=sitting.pk,
            changes={"attendees": [before, [u.username for u in people]]},
        )
    return sitting


def add_to_sitting(*, user, sitting, case, client: str = "") -> SittingItem:
    """Put a case of the township that waits for the group on the sitting's agenda."""
    sitting = selectors.get_sitting(user, getattr(sitting, "pk", sitting))
    _require(user, Perm.TOWNSHIP_DECIDE, "列入会议议程")
    case = _sitting_case(user, sitting, case)
    _require_state(case, State.TOWNSHIP_DECISION)
    with transaction.atomic():
        sitting = _lock_sitting(sitting)
        return _agenda_item(sitting, case, Actor.of(user, client))


def _record(
    *,
    user,
    sitting: Sitting | None,
    case: Case,
    expected_version: int | None,
    action: str,
    assessment_id: int | None,
    values: dict | None,
    reason: str,
    panel: str,
    vote: tuple[int, int, int] | None,
    client: str,
) -> SittingItem:
    """Record one case's proposed decision (and the vote, if given) on a sitting's agenda; with no
    sitting, on the one the case waits on, else the township's open sitting of today."""
    _require(user, Perm.TOWNSHIP_DECIDE, "审核确认")
    if action not in ACTIONS:
        raise ValidationFailed("操作应为确认、改变或不予认定。", field="action")
    _require_state(case, State.TOWNSHIP_DECISION, expected_version=expected_version)
    panel = _text(panel, "panel", "参会审核确认小组成员", required=False, max_length=1000)
    fields = proposal = None
    if action == "refuse":
        reason = _text(reason, "reason", "不予认定的书面理由")
    else:
        fields, proposal, _ = decision_fields(
            user=user,
            case=case,
            action=action,
            assessment_id=assessment_id,
            values=values,
            reason=reason,
            client=client,
        )
    actor = Actor.of(user, client)
    with transaction.atomic():
        if sitting is None:
            sitting = _sitting_of_the_day(user, case, actor)
        sitting = _lock_sitting(sitting)
        case = _lock(user, case, expected_version)
        item = _agenda_item(sitting, case, actor)
        present = _check_vote(sitting, vote) if vote is not None else 0
        decision = None
        if fields is not None:
            people = list(sitting.attendees.all())
            decision = TownshipDecision.objects.create(
                case=case,
                round=case.round,
                panel=panel or _panel(people),
                decided_on=sitting.held_on,
                decided_by=user,
                effective=False,
                **fields,
            )
        item.action, item.reason, item.decision = action, reason, decision
        _set_vote(item, vote, present)
        item.round, item.case_version = case.round, case.version
        item.recorded_by, item.recorded_at = user, timezone.now()
        item.save()
        changes = {"sitting": [None, sitting.pk], "action": [None, action], "status": [None, item.status]}
        if decision is not None:
            changes.update(
                {
                    "category": [proposal["category"], decision.category],
                    "benefit_monthly": [proposal["benefit_monthly"], str(decision.benefit_monthly)],
                    "monitoring": [proposal["monitoring_marked"], decision.monitoring_marked],
                    "assessment": [None, decision.assessment_id],
                    "verification_report": [None, decision.verification.get("report")],
                }
            )
        if vote is not None:
            changes["vote"] = [None, list(vote)]
        record_audit(
            actor=actor,
            action="case.township_decision",
            object_type="case",
            object_id=case.pk,
            changes=changes,
            reason=reason,
        )
        _tell_leaders(sitting, item)
    return item


def _sitting_of_the_day(user, case: Case, actor: Actor) -> Sitting:
    item = (
        SittingItem.objects.filter(case=case, status__in=SittingItem.LIVE).select_related("sitting").first()
    )
    if item is not None:
        return item.sitting
    township = case.household.village.parent
    Area.objects.select_for_update().filter(pk=township.pk).first()  # one opener at a time
    today = clock.today()
    sitting = (
        Sitting.objects.filter(township=township, held_on=today, status=Sitting.Status.OPEN)
        .order_by("-id")
        .first()
    )
    if sitting is None:
        sitting = Sitting.objects.create(
            township=township,
            held_on=today,
            opened_by=user,
            notes="由案件页录入审核确认意见时开启，出席人员待录入。",
        )
        record_audit(
            actor=actor,
            action="sitting.open",
            object_type="sitting",
            object_id=sitting.pk,
            changes={"township": [None, township.code], "held_on": [None, today.isoformat()]},
        )
    return sitting


def record_sitting_decision(
    *,
    user,
    sitting,
    case,
    expected_version: int | None,
    action: str,
    assessment_id: int | None = None,
    values: dict | None = None,
    reason: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstentions: int | None = None,
    client: str = "",
) -> SittingItem:
    """The group's decision on one case of the sitting (added to the agenda if missing):
    `action` "confirm" the engine's proposal, "override" it with `values` and a `reason`, or
    "refuse" with a `reason`; with the vote when given (for + against + abstentions = attendees).
    Pending until the leader confirms the sitting."""
    sitting = selectors.get_sitting(user, getattr(sitting, "pk", sitting))
    _require(user, Perm.TOWNSHIP_DECIDE, "审核确认")
    case = _sitting_case(user, sitting, case)
    return _record(
        user=user,
        sitting=sitting,
        case=case,
        expected_version=expected_version,
        action=action,
        assessment_id=assessment_id,
        values=values,
        reason=reason,
        panel="",
        vote=_votes(votes_for, votes_against, abstentions),
        client=client,
    )


def record_sitting_vote(
    *,
    user,
    sitting,
    case,
    expected_version: int | None,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    client: str = "",
) -> SittingItem:
    """The group's vote on the decision recorded for a case of the sitting."""
    sitting = selectors.get_sitting(user, getattr(sitting, "pk", sitting))
    _require(user, Perm.TOWNSHIP_DECIDE, "录入表决结果")
    case = _sitting_case(user, sitting, case)
    _require_state(case, State.TOWNSHIP_DECISION, expected_version=expected_version)
    vote = _votes(votes_for, votes_against, abstentions)
    if vote is None:
        raise ValidationFailed("请填写赞成票和反对票。", field="votes_for")
    with transaction.atomic():
        sitting = _lock_sitting(sitting)
        case = _lock(user, case, expected_version)
        item = SittingItem.objects.filter(sitting=sitting, case=case, status__in=SittingItem.LIVE).first()
        if item is None or not item.action:
            raise ValidationFailed("请先录入该案件的审核确认意见。", code="decision_missing", field="action")
        present = _check_vote(sitting, vote)
        _set_vote(item, vote, present)
        item.case_version, item.recorded_by, item.recorded_at = case.version, user, timezone.now()
        item.save()
        record_audit(
            actor=Actor.of(user, client),
            action="sitting.vote",
            object_type="sitting",
            object_id=sitting.pk,
            changes={
                "case": [None, case.reference],
                "vote": [None, list(vote)],
                "status": [None, item.status],
            },
        )
        _tell_leaders(sitting, item)
    return item


def confirm_sitting(*, user, sitting, expected_version: int | None, client: str = "") -> Sitting:
    """组长确认: the leader confirms the sitting as they saw it (`expected_version`). With a quorum
    present, every case whose vote passed takes effect and moves on, all in one transaction; a
    case whose vote failed or was not taken stays in township_decision for a later sitting."""
    sitting = selectors.get_sitting(user, getattr(sitting, "pk", sitting))
    _require(user, Perm.CONFIRM_SITTING, "确认审核确认小组会议")
    actor = Actor.of(user, client)
    with transaction.atomic():
        sitting = _lock_sitting(sitting, expected_version)
        people = list(sitting.attendees.all())
        _check_quorum(sitting.township, sitting.held_on, len(people))
        panel, on = _panel(people), clock.today()
        moved, kept = [], []
        for item in sitting.items.select_related("case", "decision").order_by("id"):
            if item.status != SittingItem.Status.PASSED:
                item.status = SittingItem.Status.CARRIED_OVER
                item.save(update_fields=["status"])
                kept.append(item.case.reference)
                continue
            try:
                case = _lock(user, item.case, item.case_version)
            except Conflict:
                raise Conflict(
                    f"案件{item.case.reference}在表决后已有变动，请重新表决后再确认。",
                    code="stale_version",
                    field="items",
                ) from None
            if item.action == "refuse":
                _refuse_locked(user, case, "refuse_by_township", item.reason, client)
            else:
                take_effect(user, case, item.decision, on=on, panel=panel, client=client)
            item.status = SittingItem.Status.EFFECTIVE
            item.save(update_fields=["status"])
            moved.append(case.reference)
        Sitting.objects.filter(pk=sitting.pk).update(
            status=Sitting.Status.CONFIRMED, confirmed_by=user, confirmed_on=on, confirmed_at=timezone.now()
        )
        record_audit(
            actor=actor,
            action="sitting.confirm",
            object_type="sitting",
            object_id=sitting.pk,
            changes={
                "status": ["open", "confirmed"],
                "effective": [None, moved],
                "carried_over": [None, kept],
            },
        )
    return selectors.get_sitting(user, sitting.pk)


def record_township_decision(
    *,
    user,
    case,
    expected_version: int | None,
    action: str,
    assessment_id: int | None = None,
    values: dict | None = None,
    reason: str = "",
    panel: str = "",
    client: str = "",
) -> SittingItem:
    """The per-case entry to the township decision (the case page's form and
    `POST /cases/{id}/township-decision`): the decision is recorded on the agenda of the sitting
    the case waits on, else of the township's open sitting of today (opened, attendance still to
    be recorded, when there is none). It takes effect only when the group votes and its leader
    confirms the sitting; the case stays in township_decision until then."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    return _record(
        user=user,
        sitting=None,
        case=case,
        expected_version=expected_version,
        action=action,
        assessment_id=assessment_id,
        values=values,
        reason=reason,
        panel=panel,
        vote=None,
        client=client,
    )
