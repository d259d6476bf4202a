"""The dashboard of a viewer's selection: the townships' parts (`parts.township_parts`: grouped
SQL, computed live for the viewer's area, or read from the summaries the refresh job keeps,
`summary`) combined and cut to the chosen category; plus the two lines from the parameters.
The querysets here are also what the drill-down lists start from (`scoped`, `roll`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet

from safetynet.assessments.services import parameter_set
from safetynet.core.areas import configured_county
from safetynet.dashboard import parts as parts_mod
from safetynet.dashboard import summary
from safetynet.dashboard.query import DashboardQuery, townships_in_scope
from safetynet.entitlements.models import Entitlement
from safetynet.policy.params import ParameterError
from safetynet.registry.selectors import in_own_area
from safetynet.rosters.query import CATEGORIES

ZERO = Decimal("0.00")
VILLAGE = parts_mod.VILLAGE
LINES = (
    ("dibao_urban", "dibao.standard_monthly.urban", 12),
    ("dibao_rural", "dibao.standard_monthly.rural", 12),
    ("monitoring_line", "monitoring.line_annual", 1),
)
due_soon_limit = parts_mod.due_soon_limit


def scoped(qs: QuerySet, user, q: DashboardQuery, path: str = VILLAGE, *, cut=in_own_area) -> QuerySet:
    """`qs` cut to the viewer's own area (the lists: to the viewer's reach) and the township."""
    qs = cut(qs, user, path)
    if q.township is not None:
        qs = qs.filter(**{f"{path}__startswith": q.township.code})
    return qs


def roll(user, q: DashboardQuery, *, cut=in_own_area) -> QuerySet[Entitlement]:
    rows = scoped(Entitlement.objects.all(), user, q, cut=cut)
    return rows.filter(category=q.category) if q.category else rows


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")))


def _cats(q: DashboardQuery, found) -> list[str]:
    return [q.category] if q.category else list(found)


# ---- combining the townships' parts ---------------------------------------------------------


def _stock_row(code: str, name: str, part: dict, q: DashboardQuery) -> dict:
    row = {
        "code": code,
        "name": name,
        "households": 0,
        "people": 0,
        "residents": part["residents"],
        "coverage": None,
        "categories": {c: {"households": 0, "people": 0} for c in CATEGORIES},
        "marked": {"households": 0, "people": 0},
    }
    for c in _cats(q, part["stock"]):
        for marked, cell in part["stock"].get(c, {}).items():
            for k in ("households", "people"):
                row[k] += cell[k]
                row["categories"].setdefault(c, {"households": 0, "people": 0})[k] += cell[k]
                if marked == "1":
                    row["marked"][k] += cell[k]
    row["coverage"] = _percent(row["people"], row["residents"])
    return row


def combine(townships, parts: dict[str, dict], q: DashboardQuery) -> dict:
    """The dashboard (without the lines) of these townships from their parts."""
    stock = [_stock_row(t.code, t.name, parts[t.code], q) for t in townships]
    total = _stock_row("", "合计", {"residents": sum(r["residents"] for r in stock), "stock": {}}, q)
    for r in stock:
        for k in ("households", "people"):
            total[k] += r[k]
            total["marked"][k] += r["marked"][k]
            for c, cell in r["categories"].items():
                total["categories"].setdefault(c, {"households": 0, "people": 0})[k] += cell[k]
    total["coverage"] = _percent(total["people"], total["residents"])

    flows, money, leads = [], [], []
    for m in map(str, q.months):
        f = {"month": m, "inflow": 0, "outflow": 0}
        y = {"month": m, "due": ZERO, "paid": ZERO, "categories": {}}
        ld = {"month": m, "raised": 0, "handled": 0, "confirmed": 0}
        for t in townships:
            p = parts[t.code]
            by_cat = p["flows"].get(m, {})
            for c in _cats(q, by_cat):
                f["inflow"] += by_cat.get(c, {}).get("inflow", 0)
                f["outflow"] += by_cat.get(c, {}).get("outflow", 0)
            paid = p["money"].get(m, {})
            for c in _cats(q, paid):
                if c not in paid:
                    continue
                cell = y["categories"].setdefault(
                    c, {"due": ZERO, "paid": ZERO, "due_lines": 0, "paid_lines": 0}
                )
                for k in ("due", "paid"):
                    cell[k] += Decimal(paid[c][k])
                    y[k] += Decimal(paid[c][k])
                for k in ("due_lines", "paid_lines"):
                    cell[k] += paid[c][k]
            for k in ("raised", "handled", "confirmed"):
                ld[k] += p["leads"].get(m, {}).get(k, 0)
        for cell in y["categories"].values():
            cell["due"], cell["paid"] = cell["due"].quantize(ZERO), cell["paid"].quantize(ZERO)
        y["due"], y["paid"] = y["due"].quantize(ZERO), y["paid"].quantize(ZERO)
        flows.append(f)
        money.append(y)
        leads.append(ld)

    cases = [{"code": t.code, "name": t.name, **parts[t.code]["cases"]} for t in townships]
    return {
        "stock": {"townships": stock, "total": total},
        "flows": flows,
        "money": money,
        "cases": {
            "townships": cases,
            "total": {k: sum(r[k] for r in cases) for k in ("open", "due_soon", "overdue")},
            "due_soon_until": due_soon_limit(q.day).isoformat(),
        },
        "leads": {"months": leads, "pending": sum(parts[t.code]["pending"] for t in townships)},
    }


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
    """The dashboard of the viewer's selection: from the stored summaries when every township
    has one for this month and day (labelled with their time), else computed now."""
    townships = townships_in_scope(user)
    if q.township is not None:
        townships = townships.filter(pk=q.township.pk)
    townships = list(townships)
    stored, as_of = summary.read([t.code for t in townships], q)
    if stored is None:
        stored = parts_mod.township_parts(
            lambda qs, path: scoped(qs, user, q, path), q, [t.code for t in townships]
        )
    return {
        "query": q.echo(),
        "month_label": q.month.label(),
        "day": q.day.isoformat(),
        "cutoff": q.cutoff,
        "current": q.current,
        "as_of": as_of,
        "from_summary": as_of is not None,
        **combine(townships, stored, q),
        "lines": lines(q),
    }
