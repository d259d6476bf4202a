"""不予认定 with its written letter, extensions of the deadline, the daily deadline scan, the inbox."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm, Role
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import notifications, selectors, workflow
from safetynet.cases.models import (
    OPEN_STATES,
    Case,
    DeadlineExtension,
    InboxItem,
    RefusalLetter,
    SittingItem,
)
from safetynet.cases.services.base import STATE_WORK, _lock, _params, _refuse_locked
from safetynet.cases.services.checks import _require, _roles_with, _text
from safetynet.cases.services.sitting import record_township_decision
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import (
    Conflict,
    NotFound,
)
from safetynet.registry import selectors as registry_selectors
from safetynet.workdays.services import work_calendar

# ---- refusal, deadlines ------------------------------------------------------------------------


def refuse_case(
    *, user, case, expected_version: int | None, reason: str, client: str = ""
) -> RefusalLetter | SittingItem:
    """不予认定 at any step, with a written reason: the refusal letter, to be explained within 3
    working days (its due date recorded). At the township decision the refusal is the review
    group's decision: it is recorded on the agenda of a sitting (`sitting.record_township_decision`)
    and takes effect when the leader confirms the sitting."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    if not case.is_open:
        raise Conflict("案件已办结。", code="invalid_transition")
    t = workflow.refusal_for(case.state)
    _require(user, t.perm, "不予认定")
    reason = _text(reason, "reason", "不予认定的书面理由")
    if case.state == State.TOWNSHIP_DECISION:
        return record_township_decision(
            user=user,
            case=case,
            expected_version=expected_version,
            action="refuse",
            reason=reason,
            client=client,
        )
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        return _refuse_locked(user, case, t.name, reason, client)


def request_extension(*, user, case, reason: str, client: str = "") -> DeadlineExtension:
    """Ask once to extend the deadline to `procedure.extended_working_days`; the review leader decides."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.REQUEST_EXTENSION, "申请延期")
    reason = _text(reason, "reason", "延期理由")
    if not case.is_open:
        raise Conflict("案件已办结。", code="case_closed")
    if case.extended or case.extensions.filter(status__in=("pending", "approved")).exists():
        raise Conflict("办理时限只能延长一次。", code="already_extended")
    with transaction.atomic():
        row = DeadlineExtension.objects.create(case=case, reason=reason, requested_by=user)
        record_audit(
            actor=Actor.of(user, client),
            action="case.extension_request",
            object_type="case",
            object_id=case.pk,
            changes={"extension": [None, row.pk]},
            reason=reason,
        )
        leaders = registry_selectors.users_reaching(case.household.village.code, [Role.REVIEW_LEADER.value])
        notifications.notify_users(
            leaders,
            case=case,
            kind="extension",
            title=f"{case.reference}：延期申请待审批",
            key=f"extension:{row.pk}",
        )
    return row


def decide_extension(
    *,
    user,
    extension_id,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    client: str = "",
) -> DeadlineExtension:
    """The township review leader approves (deadline → the extended working days from acceptance) or not."""
    _require(user, Perm.APPROVE_EXTENSION, "审批延期")
    try:
        ext = DeadlineExtension.objects.filter(
            pk=int(extension_id), case__in=selectors.cases_visible_to(user)
        ).first()
    except (TypeError, ValueError):
        ext = None  # a malformed id is a missing one
    if ext is None:
        raise NotFound("未找到该延期申请。", code="extension_not_found")
    if ext.status != "pending":
        raise Conflict("该延期申请已审批。", code="extension_decided")
    if not approve:
        note = _text(note, "note", "不予批准的理由")
    with transaction.atomic():
        case = _lock(user, ext.case, expected_version)
        if not case.is_open:
            raise Conflict("案件已办结。", code="case_closed")
        ext.status, ext.decided_by, ext.decided_at = (
            ("approved" if approve else "rejected"),
            user,
            timezone.now(),
        )
        ext.decision_note = (note or "").strip()[:2000]
        changes = {"extension": ["pending", ext.status]}
        if approve:
            days = int(
                _params(case.household.village.code, case.accepted_on)["procedure.extended_working_days"]
            )
            new = work_calendar().add_working_days(case.accepted_on, days)
            ext.new_deadline = new.date
            changes["deadline"] = [case.deadline.isoformat(), new.date.isoformat()]
            Case.objects.filter(pk=case.pk).update(
                deadline=new.date, deadline_provisional=new.provisional, extended=True
            )
            case.deadline, case.deadline_provisional, case.extended = new.date, new.provisional, True
        ext.save()
        record_audit(
            actor=Actor.of(user, client),
            action="case.extension_decide",
            object_type="case",
            object_id=case.pk,
            changes=changes,
            reason=ext.reason if approve else note,
        )
    return ext


def scan_deadlines(on: dt.date | None = None) -> dict:
    """Daily: put due-soon and overdue cases in the inbox of those working on them and of the
    township review leader. Idempotent (one item per case, kind and deadline)."""
    on = on or clock.today()
    cal, window = work_calendar(), selectors.due_soon_working_days(on)
    counts = {"due": 0, "overdue": 0}
    for case in Case.objects.filter(state__in=OPEN_STATES).select_related("household__village"):
        k = selectors.clock(case, on, cal, window)
        if not (k.overdue or k.due_soon):
            continue
        kind = "overdue" if k.overdue else "due"
        roles = [*_roles_with(STATE_WORK[State(case.state)]), Role.REVIEW_LEADER.value]
        users = registry_selectors.users_reaching(case.household.village.code, roles)
        title = (
            f"{case.reference}：已超过办结时限{case.deadline:%m月%d日}"
            if k.overdue
            else f"{case.reference}：{case.deadline:%m月%d日}到期（剩余{k.remaining}个工作日）"
        )
        counts[kind] += notifications.notify_users(
            users, case=case, kind=kind, title=title, key=f"case:{case.pk}:{kind}:{case.deadline}"
        )
    return counts


def mark_read(*, user, item_id) -> None:
    """Mark one of the user's own inbox items read (again is harmless); another user's item is
    answered like a missing one."""
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        item_id = None  # a malformed id is a missing one
    item = InboxItem.objects.filter(pk=item_id, user=user).first() if item_id is not None else None
    if item is None:
        raise NotFound("未找到该待办事项。", code="inbox_item_not_found", field="item_id")
    if item.read_at is None:
        InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
