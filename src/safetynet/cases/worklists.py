"""The procedure's lists as querysets, for the pages (filtered, sorted and paged by the web's
FilterSets and Tables) and the API: leads, cases with their deadline filters, the per-township
deadline board, and the village officers leads may be assigned to.

Every list starts from the scoped selectors (`cases_visible_to`, `leads_visible_to`); a filter
narrows it, never widens it. The deadline filters are written as date ranges the database
evaluates (a case's clock depends on its deadline only), so paging never reads every case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from safetynet.accounts.roles import Role
from safetynet.cases import selectors
from safetynet.cases.models import OPEN_STATES, Case, Lead
from safetynet.cases.workflow import STATE_LABELS, State
from safetynet.core import clock as system_clock
from safetynet.core.statements import Statement
from safetynet.registry import selectors as registry
from safetynet.registry.models import Area
from safetynet.workdays.services import work_calendar


def _village_officers():
    from safetynet.accounts.models import User

    return User.objects.filter(is_active=True, role=Role.VILLAGE_OFFICER.value)


def village_officers_for(user) -> QuerySet:
    """Active village officers (救助帮扶专干) whose village lies in the user's reach: whom the
    user may send leads to."""
    return (
        registry.in_reach(_village_officers(), user, "area__code")
        .select_related("area__parent")
        .order_by("area__code", "username")
    )


OFFICER_CHOICE = ("pk", "area__parent__name", "area__name", "display_name", "username")
# The leads page's select: its SQL written once a process (core/statements.py).
_OFFICERS_UNDER = Statement(
    lambda prefix: (
        registry.under(_village_officers(), prefix, "area__code")
        .order_by("area__code", "username")
        .values_list(*OFFICER_CHOICE)
    ),
    "M0prefix",
)


def officer_choices(user) -> list[tuple]:
    """(id, township, village, display name, username) of each officer of `village_officers_for`:
    the bulk assignment's select, without the users' own rows."""
    return registry.rows_in_reach(
        user, _OFFICERS_UNDER, lambda: village_officers_for(user).values_list(*OFFICER_CHOICE)
    )


# ---- leads -------------------------------------------------------------------------------------


def leads(user, *, status: str = "new", township: str = "") -> QuerySet[Lead]:
    """The user's leads (new ones by default; all with `status=""`), oldest first."""
    # The list shows the village, township and officer; of the household and the case only their
    # ids. The subject's ID number and phone (encrypted) are left unread.
    qs = (
        selectors.leads_visible_to(user)
        .select_related("village__parent", "assigned_to__area")
        .defer("subject_id_number", "contact_phone")
    )
    if status:
        qs = qs.filter(status=status)
    if township:
        qs = qs.filter(village__parent__code=township)
    return qs.order_by("received_at", "id")


def days_since(lead: Lead, today: dt.date) -> int:
    """Calendar days since the lead arrived (0 for a lead that arrived after `today`, as when the
    demo clock is set back)."""
    return max(0, (today - timezone.localtime(lead.received_at).date()).days)


@dataclass
class LeadRow:
    lead: Lead
    days_since: int


def lead_worklist(user, *, township: str = "", status: str = "new", today: dt.date | None = None):
    """The leads with the days since each arrived (the API's list)."""
    today = today or system_clock.today()
    return [LeadRow(lead, days_since(lead, today)) for lead in leads(user, status=status, township=township)]


# ---- cases and their deadlines -----------------------------------------------------------------


def last_due_soon_day(today: dt.date, cal=None, window: int | None = None) -> dt.date:
    """The latest deadline still "due soon" today: at most `window` working days ahead (the
    parameter `procedure.due_soon_working_days`), as `selectors.clock` counts them."""
    cal = cal or work_calendar()
    window = window if window is not None else selectors.due_soon_working_days(today)
    day, count = today, 0
    while True:
        following = day + dt.timedelta(days=1)
        step = cal.is_working_day(following)
        if count + step > window:
            return day
        day, count = following, count + step


def due_filter(due: str, today: dt.date) -> Q:
    """Open cases due soon (`soon`) or past their deadline (`overdue`); anything else: all."""
    if due == "overdue":
        return Q(state__in=OPEN_STATES, deadline__lt=today)
    if due == "soon":
        return Q(state__in=OPEN_STATES, deadline__gte=today, deadline__lte=last_due_soon_day(today))
    return Q()


def cases(
    user,
    *,
    state: str = "",
    due: str = "",
    township: str = "",
    monitoring: bool = False,
    include_closed: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """The user's cases, nearest deadline first. Open ones unless a `state` is asked for or
    `include_closed`; `due`: "soon" or "overdue"; `monitoring`: only cases whose decision in
    effect carries the 防返贫监测 mark (the agriculture bureau's worklist)."""
    today = today or system_clock.today()
    # The list shows the village and township, not the head: no head (each a person with three
    # encrypted fields to decrypt), and the applicant's phone left unread.
    qs = (
        selectors.cases_visible_to(user).select_related("household__village__parent").defer("applicant_phone")
    )
    if state:
        qs = qs.filter(state=state)
    elif not include_closed and not monitoring:
        qs = qs.filter(state__in=OPEN_STATES)
    if township:
        qs = qs.filter(village__parent__code=township)
    if monitoring:
        qs = monitored(qs)
    return qs.filter(due_filter(due, today)).order_by("deadline", "id")


def monitored(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Only cases whose decision in effect carries the 防返贫监测 mark."""
    marked = Case.objects.filter(decisions__monitoring_marked=True, decisions__effective=True)
    return qs.filter(pk__in=marked.values("pk"))


class Clocks:
    """Each case's clock for one page of a list: the calendar and the due-soon window read once."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or system_clock.today()
        self.cal = work_calendar()
        self.window = selectors.due_soon_working_days(self.today)

    def of(self, case: Case) -> selectors.Clock:
        return selectors.clock(case, self.today, self.cal, self.window)


@dataclass
class CaseRow:
    case: Case
    clock: selectors.Clock

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.case.state)]


def case_worklist(user, *, today: dt.date | None = None, **filters) -> list[CaseRow]:
    """The cases with their clocks (the API's list)."""
    clocks = Clocks(today)
    return [CaseRow(c, clocks.of(c)) for c in cases(user, today=clocks.today, **filters)]


def townships_of(user) -> QuerySet[Area]:
    """The townships a user's cases lie in: those in reach, or a village officer's own."""
    townships = registry.areas_visible_to(user).filter(level=Area.Level.TOWNSHIP)
    if user.area_id and user.area.level == Area.Level.VILLAGE:
        townships = Area.objects.filter(pk=user.area.parent_id)
    return townships.order_by("code")


def deadline_board(user, *, townships: QuerySet[Area] | None = None, today: dt.date | None = None):
    """时限看板: per township in reach (or those given, already cut to reach), its open cases,
    those due soon and those overdue — counted by the database in one query."""
    today = today or system_clock.today()
    soon = due_filter("soon", today)
    counts = {
        row["township"]: row
        for row in selectors.cases_visible_to(user)
        .filter(state__in=OPEN_STATES)
        .annotate(township=Substr("village__code", 1, 9))
        .values("township")
        .annotate(
            open=Count("id"),
            due_soon=Count("id", filter=soon),
            overdue=Count("id", filter=Q(deadline__lt=today)),
        )
        .order_by()
    }
    rows = []
    for t in townships if townships is not None else townships_of(user):
        c = counts.get(t.code, {})
        rows.append(
            {
                "township": t,
                "code": t.code,
                "name": t.name,
                "open": c.get("open", 0),
                "due_soon": c.get("due_soon", 0),
                "overdue": c.get("overdue", 0),
            }
        )
    return rows
