"""The dashboard's figures, aggregated in SQL: a fixed number of grouped queries whatever the
number of households (the loops here run over grouped results — townships × categories, months —
never over rows). Each figure counts a queryset of `events`, cut to the viewer's own area
(`registry.selectors.in_own_area`) and the chosen township and category."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from safetynet.assessments.services import parameter_set
from safetynet.cases.models import Case, Lead
from safetynet.cases.selectors import due_soon_working_days
from safetynet.core.areas import configured_county
from safetynet.dashboard import events
from safetynet.dashboard.query import DashboardQuery, start_of, townships_in_scope
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.payments.models import PayrollLine
from safetynet.policy.params import ParameterError
from safetynet.registry.models import Membership
from safetynet.registry.selectors import in_own_area
from safetynet.rosters.query import CATEGORIES
from safetynet.workdays.services import work_calendar

ZERO = Decimal("0.00")
VILLAGE = "household__village__code"
TOWNSHIP = "household__village__parent__code"
LINES = (
    ("dibao_urban", "dibao.standard_monthly.urban", 12),
    ("dibao_rural", "dibao.standard_monthly.rural", 12),
    ("monitoring_line", "monitoring.line_annual", 1),
)


def scoped(qs: QuerySet, user, q: DashboardQuery, path: str = VILLAGE, *, cut=in_own_area) -> QuerySet:
    """`qs` cut to the viewer's own area (the lists: to the viewer's reach) and the township."""
    qs = cut(qs, user, path)
    if q.township is not None:
        qs = qs.filter(**{f"{path}__startswith": q.township.code})
    return qs


def roll(user, q: DashboardQuery, *, cut=in_own_area) -> QuerySet[Entitlement]:
    rows = scoped(Entitlement.objects.all(), user, q, cut=cut)
    return rows.filter(category=q.category) if q.category else rows


def _month_key(value) -> str:
    return value.strftime("%Y-%m")


def _yuan(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")))


# ---- stock ----------------------------------------------------------------------------------


def _blank_stock(code: str, name: str) -> dict:
    return {
        "code": code,
        "name": name,
        "households": 0,
        "people": 0,
        "residents": 0,
        "coverage": None,
        "categories": {c: {"households": 0, "people": 0} for c in CATEGORIES},
        "marked": {"households": 0, "people": 0},
    }


def stock(user, q: DashboardQuery) -> dict:
    """Households and people on the roll on the day shown, per township, by category and
    monitoring mark, with the residents (counted members of the register's households that day)
    and the coverage rate (people on the roll ÷ residents, per cent)."""
    townships = townships_in_scope(user)
    if q.township is not None:
        townships = townships.filter(pk=q.township.pk)
    rows = {t.code: _blank_stock(t.code, t.name) for t in townships}
    on_roll = roll(user, q).filter(events.covering(q.day))
    households = (
        on_roll.order_by()
        .values(t=F(TOWNSHIP), c=F("category"), m=F("monitoring_marked"))
        .annotate(n=Count("pk"))
    )
    members = scoped(EntitlementMember.objects.all(), user, q, f"entitlement__{VILLAGE}").filter(
        events.covering(q.day, "entitlement__")
    )
    if q.category:
        members = members.filter(entitlement__category=q.category)
    people = (
        members.order_by()
        .values(
            t=F(f"entitlement__{TOWNSHIP}"),
            c=F("entitlement__category"),
            m=F("entitlement__monitoring_marked"),
        )
        .annotate(n=Count("pk"))
    )
    for kind, grouped in (("households", households), ("people", people)):
        for g in grouped:
            row = rows.get(g["t"])
            if row is None:
                continue
            row[kind] += g["n"]
            row["categories"].setdefault(g["c"], {"households": 0, "people": 0})[kind] += g["n"]
            if g["m"]:
                row["marked"][kind] += g["n"]
    residents = (
        scoped(Membership.objects.filter(counted=True, joined_on__lte=q.day), user, q)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=q.day))
        .order_by()
        .values(t=F(TOWNSHIP))
        .annotate(n=Count("pk"))
    )
    for g in residents:
        if g["t"] in rows:
            rows[g["t"]]["residents"] = g["n"]
    total = _blank_stock("", "合计")
    for row in rows.values():
        row["coverage"] = _percent(row["people"], row["residents"])
        for k in ("households", "people", "residents"):
            total[k] += row[k]
        for c, cell in row["categories"].items():
            for k in ("households", "people"):
                total["categories"].setdefault(c, {"households": 0, "people": 0})[k] += cell[k]
        for k in ("households", "people"):
            total["marked"][k] += row["marked"][k]
    total["coverage"] = _percent(total["people"], total["residents"])
    return {"townships": list(rows.values()), "total": total}


# ---- monthly series -------------------------------------------------------------------------


def flows(user, q: DashboardQuery) -> list[dict]:
    """Entries to and exits from the roll per month (the series' months)."""
    first = q.months[0].first
    series = {str(m): {"month": str(m), "inflow": 0, "outflow": 0} for m in q.months}
    rows = roll(user, q)
    for kind, qs, field in (
        ("inflow", events.entries(rows, first, q.day), "valid_from"),
        ("outflow", events.exits(rows, first, q.day), "valid_until"),
    ):
        for g in qs.order_by().annotate(m=TruncMonth(field)).values("m").annotate(n=Count("pk")):
            series[_month_key(g["m"])][kind] = g["n"]
    return list(series.values())


def money(user, q: DashboardQuery) -> list[dict]:
    """Per benefit month of the series: the money due (committed by approved payrolls) and paid
    (confirmed by the bank), both as known at the cutoff, by category."""
    lines = scoped(PayrollLine.objects.all(), user, q).filter(
        benefit_month__gte=q.months[0].first, benefit_month__lte=q.month.first
    )
    if q.category:
        lines = lines.filter(category=q.category)
    grouped = (
        events.due_lines(lines, q.cutoff)
        .order_by()
        .values("benefit_month", "category")
        .annotate(
            due=Sum("amount"),
            due_lines=Count("pk"),
            paid=Sum("amount", filter=events.paid_q(q.cutoff)),
            paid_lines=Count("pk", filter=events.paid_q(q.cutoff)),
        )
    )
    series = {str(m): {"month": str(m), "due": ZERO, "paid": ZERO, "categories": {}} for m in q.months}
    for g in grouped:
        month = series[_month_key(g["benefit_month"])]
        due, paid = _yuan(g["due"]), _yuan(g["paid"])
        month["due"] += due
        month["paid"] += paid
        month["categories"][g["category"]] = {
            "due": due,
            "paid": paid,
            "due_lines": g["due_lines"],
            "paid_lines": g["paid_lines"],
        }
    return list(series.values())


def leads(user, q: DashboardQuery) -> dict:
    """Comparison leads per month: raised, handled (merged into a case or dismissed), confirmed
    (merged into a case); and those still unhandled at the cutoff."""
    start = start_of(q.months[0].first)
    base = events.comparison_leads(scoped(Lead.objects.all(), user, q, "village__code"))
    series = {str(m): {"month": str(m), "raised": 0, "handled": 0, "confirmed": 0} for m in q.months}
    raised = (
        base.filter(received_at__gte=start, received_at__lt=q.cutoff)
        .order_by()
        .annotate(m=TruncMonth("received_at", output_field=DateField()))
        .values("m")
        .annotate(n=Count("pk"))
    )
    for g in raised:
        series[_month_key(g["m"])]["raised"] = g["n"]
    handled = (
        events.handled_records_of(base)
        .filter(at__gte=start, at__lt=q.cutoff)
        .order_by()
        .annotate(m=TruncMonth("at", output_field=DateField()))
        .values("m", "action")
        .annotate(n=Count("object_id", distinct=True))
    )
    for g in handled:
        month = series[_month_key(g["m"])]
        month["handled"] += g["n"]
        if g["action"] in events.CONFIRMED:
            month["confirmed"] += g["n"]
    return {"months": list(series.values()), "pending": events.unhandled_at(base, q.cutoff).count()}


# ---- cases ----------------------------------------------------------------------------------


def due_soon_limit(day: dt.date) -> dt.date:
    """The last deadline that counts as due soon on `day` (the window is a dated parameter)."""
    return work_calendar().add_working_days(day, due_soon_working_days(day)).date


def cases(user, q: DashboardQuery) -> dict:
    """Cases open on the day shown, due soon and overdue, per township and in all."""
    limit = due_soon_limit(q.day)
    townships = townships_in_scope(user)
    if q.township is not None:
        townships = townships.filter(pk=q.township.pk)
    rows = {
        t.code: {"code": t.code, "name": t.name, "open": 0, "due_soon": 0, "overdue": 0} for t in townships
    }
    grouped = (
        events.open_on(scoped(Case.objects.all(), user, q), q.day)
        .order_by()
        .values(t=F(TOWNSHIP))
        .annotate(
            open=Count("pk"),
            due_soon=Count("pk", filter=events.due_soon_q(q.day, limit)),
            overdue=Count("pk", filter=events.overdue_q(q.day)),
        )
    )
    for g in grouped:
        if g["t"] in rows:
            rows[g["t"]].update(open=g["open"], due_soon=g["due_soon"], overdue=g["overdue"])
    total = {k: sum(r[k] for r in rows.values()) for k in ("open", "due_soon", "overdue")}
    return {"townships": list(rows.values()), "total": total, "due_soon_until": limit.isoformat()}


# ---- the two lines --------------------------------------------------------------------------


def lines(q: DashboardQuery) -> list[dict]:
    """The 低保 standards (urban, rural) and the monitoring line, yuan a person a year, year by
    year up to the month shown: each year's values in force on 1 July (the year shown: on the day
    shown), from the parameters entered by the cutoff."""
    ps = parameter_set(configured_county(), entered_until=q.cutoff)
    first = min(v.effective_from.year for _, name, _ in LINES for v in ps.history(name))
    out = []
    for year in range(first, q.month.year + 1):
        p = ps.on(q.day if year == q.month.year else dt.date(year, 7, 1))
        row = {"year": year}
        try:
            for key, name, times in LINES:
                row[key] = (Decimal(p[name]) * times).quantize(Decimal("1"))
        except ParameterError:
            continue  # a year before the county's parameters begin
        out.append(row)
    return out


def dashboard(user, q: DashboardQuery) -> dict:
    return {
        "query": q.echo(),
        "month_label": q.month.label(),
        "day": q.day.isoformat(),
        "cutoff": q.cutoff,
        "current": q.current,
        "stock": stock(user, q),
        "flows": flows(user, q),
        "money": money(user, q),
        "cases": cases(user, q),
        "leads": leads(user, q),
        "lines": lines(q),
    }
