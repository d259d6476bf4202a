"""待办: the open steps a user can act on now, derived (never stored) from what is in their area —
cases in a state whose work their role does (`workflow.STATE_WORK`), with each case's deadline;
new leads for those who accept cases, and the new leads sent to a village officer to check;
sittings awaiting the leader's confirmation; extension
requests awaiting approval. A task is gone as soon as its step is done, because the state it
was read from has moved on. Notifications (the inbox) are a separate thing.

A fixed number of queries whatever the number of cases (the tasks page has a query-count guard)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.cases import selectors
from safetynet.cases.models import DeadlineExtension, Lead, Notice, Sitting
from safetynet.cases.workflow import STATE_WORK, WORK_LABELS, State
from safetynet.core import clock as system_clock
from safetynet.workdays.services import work_calendar

# Rows listed per group (the group's total is always counted in full).
GROUP_LIMIT = 100
# Open cases read at most for one user's list (a county-wide reader of a very large county sees
# the oldest deadlines first).
CASE_FETCH_LIMIT = 2000


@dataclass
class Task:
    title: str  # what the task is about: a reference, a place
    step: str  # what is to be done
    url_name: str  # the page where it is done, reversed with `pk`
    pk: int
    due: dt.date | None = None
    overdue: bool = False
    due_soon: bool = False
    remaining: int | None = None  # working days left (negative: overdue by)
    note: str = ""


@dataclass
class TaskGroup:
    key: str
    label: str
    tasks: list[Task] = field(default_factory=list)
    total: int = 0
    more_url: str = ""  # a page listing the whole group, when it is longer than shown

    @property
    def shown_all(self) -> bool:
        return len(self.tasks) >= self.total


@dataclass
class TaskList:
    groups: list[TaskGroup]

    @property
    def count(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def overdue(self) -> int:
        return sum(1 for g in self.groups for t in g.tasks if t.overdue)

    @property
    def due_soon(self) -> list[Task]:
        """Overdue and due-soon tasks, the most urgent first."""
        urgent = [t for g in self.groups for t in g.tasks if t.overdue or t.due_soon]
        return sorted(urgent, key=lambda t: (t.due or dt.date.max, t.title))


def _case_tasks(user, today: dt.date) -> list[TaskGroup]:
    states = [s for s, perm in STATE_WORK.items() if user.can(perm)]
    if not states:
        return []
    cases = list(
        selectors.cases_visible_to(user)
        .filter(state__in=[s.value for s in states])
        .select_related("household__village")
        .prefetch_related(
            Prefetch("notices", queryset=Notice.objects.filter(status="open"), to_attr="open_notices")
        )
        .order_by("deadline", "id")[:CASE_FETCH_LIMIT]
    )
    groups = {s: TaskGroup(s.value, WORK_LABELS[s]) for s in states}
    if not cases:
        return []
    cal, window = work_calendar(), selectors.due_soon_working_days(today)
    for case in cases:
        state = State(case.state)
        note = ""
        if state == State.NOTICE:
            notice = case.open_notices[-1] if case.open_notices else None
            if notice is None or notice.earliest_close > today:
                continue  # nothing to do before the notice period has run
            note = f"公示已于{notice.earliest_close:%Y-%m-%d}期满，可结束公示"
        c = selectors.clock(case, today, cal, window)
        group = groups[state]
        group.total += 1
        if len(group.tasks) < GROUP_LIMIT:
            group.tasks.append(
                Task(
                    title=f"{case.reference} {case.applicant_name}（{case.household.village.name}）",
                    step=WORK_LABELS[state],
                    url_name="cases:detail",
                    pk=case.pk,
                    due=c.deadline,
                    overdue=c.overdue,
                    due_soon=c.due_soon,
                    remaining=c.remaining,
                    note=note,
                )
            )
    return [g for g in groups.values() if g.total]


def _lead_tasks(user, today: dt.date) -> list[TaskGroup]:
    if not user.can(Perm.ACCEPT_CASE):
        return []
    qs = selectors.leads_visible_to(user).filter(status=Lead.Status.NEW)
    total = qs.count()
    if not total:
        return []
    group = TaskGroup("leads", "新线索待核实受理", total=total, more_url="cases:leads")
    for lead in qs.select_related("village").order_by("received_at", "id")[:GROUP_LIMIT]:
        days = (today - timezone.localtime(lead.received_at).date()).days
        who = lead.subject_name or "（已关联户档案）"
        group.tasks.append(
            Task(
                title=f"{lead.reference} {who}（{lead.village.name}）",
                step=f"核实线索，受理或排除（{lead.get_channel_display()}）",
                url_name="cases:lead",
                pk=lead.pk,
                note=f"已收到{days}天",
            )
        )
    return [group]


def _assigned_lead_tasks(user, today: dt.date) -> list[TaskGroup]:
    """New leads sent to this user (a village officer) to check on site; gone once the lead is
    accepted or dismissed."""
    qs = selectors.leads_visible_to(user).filter(status=Lead.Status.NEW, assigned_to=user)
    rows = list(qs.select_related("village").order_by("assigned_at", "id")[: GROUP_LIMIT + 1])
    if not rows:
        return []
    total = len(rows) if len(rows) <= GROUP_LIMIT else qs.count()
    group = TaskGroup("assigned_leads", "分派给我的线索（入户核实）", total=total)
    for lead in rows[:GROUP_LIMIT]:
        who = lead.subject_name or "（已关联户档案）"
        days = (today - timezone.localtime(lead.assigned_at or lead.received_at).date()).days
        group.tasks.append(
            Task(
                title=f"{lead.reference} {who}（{lead.village.name}）",
                step="入户核实线索，向乡镇反馈情况",
                url_name="cases:lead",
                pk=lead.pk,
                note=f"分派{days}天",
            )
        )
    return [group]


def _sitting_tasks(user) -> list[TaskGroup]:
    if not user.can(Perm.CONFIRM_SITTING):
        return []
    sittings = list(
        selectors.sittings_visible_to(user)
        .filter(status=Sitting.Status.OPEN)
        .select_related("township")
        .order_by("held_on", "id")
    )
    if not sittings:
        return []
    tasks = [
        Task(
            title=f"{s.township.name} {s.held_on:%Y-%m-%d} 审核确认小组会议",
            step="组长确认会议结果",
            url_name="cases:sitting",
            pk=s.pk,
            due=s.held_on,
        )
        for s in sittings[:GROUP_LIMIT]
    ]
    return [TaskGroup("sittings", "待组长确认的会议", tasks, len(sittings))]


def _extension_tasks(user) -> list[TaskGroup]:
    if not user.can(Perm.APPROVE_EXTENSION):
        return []
    pending = list(
        DeadlineExtension.objects.filter(status="pending", case__in=selectors.cases_visible_to(user))
        .select_related("case__household__village")
        .order_by("requested_at", "id")
    )
    if not pending:
        return []
    tasks = [
        Task(
            title=f"{e.case.reference} {e.case.applicant_name}（{e.case.household.village.name}）",
            step="审批延期申请",
            url_name="cases:detail",
            pk=e.case_id,
            due=e.case.deadline,
            note=e.reason[:60],
        )
        for e in pending[:GROUP_LIMIT]
    ]
    return [TaskGroup("extensions", "待审批的延期申请", tasks, len(pending))]


def tasks_for(user, today: dt.date | None = None) -> TaskList:
    """The user's 待办, grouped: leads, sittings and extensions first, then cases in workflow order."""
    if not user or not user.is_authenticated:
        return TaskList([])
    today = today or system_clock.today()
    return TaskList(
        [
            *_lead_tasks(user, today),
            *_assigned_lead_tasks(user, today),
            *_sitting_tasks(user),
            *_extension_tasks(user),
            *_case_tasks(user, today),
        ]
    )
