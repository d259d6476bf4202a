"""The lists behind the dashboard's numbers: for a figure (its kind, and for a monthly series its
month), the rows of the very queryset the figure counted, cut to the viewer's reach
(`registry.selectors.in_reach`: listing rows needs the household permission). The stock numbers
drill down to the roster instead (/rosters/ with the same date, township, category and mark)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from safetynet.accounts.roles import Perm
from safetynet.cases.models import Case, Lead
from safetynet.core.errors import PermissionDenied, ValidationFailed
from safetynet.dashboard import events, figures
from safetynet.dashboard.query import DashboardQuery, parse_month_text, start_of
from safetynet.payments.models import PayrollLine
from safetynet.registry.selectors import in_reach

# kind: (title, the model's short name in the template, a monthly series or a point in time)
KINDS = {
    "inflow": ("纳入（新进入在册）", "entitlement", True),
    "outflow": ("退出（离开在册）", "entitlement", True),
    "due": ("应发（已审批名册）", "line", True),
    "paid": ("已发放到账", "line", True),
    "leads_raised": ("比对线索：新增", "lead", True),
    "leads_handled": ("比对线索：已处理", "lead", True),
    "leads_confirmed": ("比对线索：核实属实转入办理", "lead", True),
    "leads_pending": ("比对线索：未处理", "lead", False),
    "cases_open": ("在办案件", "case", False),
    "cases_due_soon": ("临近时限的案件", "case", False),
    "cases_overdue": ("已超期的案件", "case", False),
}


@dataclass(frozen=True)
class Drill:
    kind: str
    title: str
    model: str
    period: str  # the series' month, or "" for a point in time
    rows: QuerySet

    def amount(self) -> Decimal | None:
        """The sum of the listed payroll lines (what a money figure shows), else None."""
        if self.model != "line":
            return None
        return Decimal(self.rows.aggregate(total=Sum("amount"))["total"] or 0).quantize(Decimal("0.01"))


def _period(q: DashboardQuery, text: str):
    if not text:
        return q.month
    month = parse_month_text(text)
    if month not in q.months:
        raise ValidationFailed(
            f"月份应在{q.months[0].label()}至{q.month.label()}之间。", code="invalid_period", field="period"
        )
    return month


def drill(user, q: DashboardQuery, params: Mapping[str, str]) -> Drill:
    if not user.can(Perm.VIEW_HOUSEHOLD):
        raise PermissionDenied("您的角色只能查看汇总数字，不能查看明细名单。")
    kind = str(params.get("kind") or "").strip()
    if kind not in KINDS:
        raise ValidationFailed(
            f"明细类型“{kind}”不存在，可选：{'、'.join(KINDS)}。", code="invalid_choice", field="kind"
        )
    title, model, series = KINDS[kind]
    month = _period(q, str(params.get("period") or "").strip()) if series else q.month
    first, last = month.first, min(month.end - dt.timedelta(days=1), q.day)
    start, end = start_of(first), start_of(last + dt.timedelta(days=1))
    if kind in ("inflow", "outflow"):
        rows = figures.roll(user, q, cut=in_reach)
        rows = (events.entries if kind == "inflow" else events.exits)(rows, first, last)
        rows = rows.select_related("household__village__parent").order_by("household_id", "valid_from")
    elif kind in ("due", "paid"):
        rows = figures.scoped(PayrollLine.objects.all(), user, q, cut=in_reach).filter(benefit_month=first)
        if q.category:
            rows = rows.filter(category=q.category)
        rows = events.due_lines(rows, q.cutoff)
        if kind == "paid":
            rows = rows.filter(events.paid_q(q.cutoff))
        rows = rows.select_related("household__village__parent").order_by("household_id", "id")
    elif model == "lead":
        leads = events.comparison_leads(
            figures.scoped(Lead.objects.all(), user, q, "village__code", cut=in_reach)
        )
        if kind == "leads_raised":
            rows = leads.filter(received_at__gte=start, received_at__lt=end)
        elif kind == "leads_pending":
            rows = events.unhandled_at(leads, q.cutoff)
        else:
            actions = events.CONFIRMED if kind == "leads_confirmed" else events.HANDLED
            rows = events.handled_between(leads, start, end, actions)
        rows = rows.select_related("village__parent").order_by("-received_at", "-id")
    else:
        rows = events.open_on(figures.scoped(Case.objects.all(), user, q, cut=in_reach), q.day)
        if kind == "cases_overdue":
            rows = rows.filter(events.overdue_q(q.day))
        elif kind == "cases_due_soon":
            rows = rows.filter(events.due_soon_q(q.day, figures.due_soon_limit(q.day)))
        rows = rows.select_related("household__village__parent").order_by("deadline", "id")
    return Drill(kind, title, model, str(month) if series else "", rows)
