"""The monitored-household summary for agriculture (防返贫监测对象汇总): per township and month, the
households and people marked for monitoring at the month's end by monitoring type, how many of
them also hold 低保 or 特困, how many were marked during the month and how many left monitoring
(of which through 风险消除), and how many have an assistance measure referred by the month's end.

A handful of SQL aggregates grouped by township and type, whatever the number of rows. Computed
with the monthly statistics and stored with them (`statistics`), so a past month reads the same
every time (docs/statistics.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q

from safetynet.assistance.models import Measure, MeasureStatus
from safetynet.entitlements.models import Basis, Entitlement, EntitlementMember

TYPES = ("unstable_alleviated", "edge_prone", "sudden_hardship", "unknown")
KEYS = ("households", "people", "with_dibao_or_tekun", "new", "exits", "risk_closed")
TOWNSHIP = "household__village__parent"


def _empty() -> dict:
    return dict.fromkeys(KEYS, 0)


def _in_force(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gt=day))


def _marked_on(day: dt.date):
    """A subquery: the household (OuterRef) has a marked row in force on `day`."""
    return Exists(
        Entitlement.objects.filter(_in_force(day), household=OuterRef("household"), monitoring_marked=True)
    )


def figures_many(townships: Iterable, first: dt.date, day: dt.date) -> dict[int, dict]:
    """{township id: its summary} for the month starting `first`, counted on `day` (its last day,
    or today in the current month) against the day before `first`."""
    ids = [t.pk for t in townships]
    out = {pk: {"types": {t: _empty() for t in TYPES}, "households_with_measures": 0} for pk in ids}
    before = first - dt.timedelta(days=1)
    rows = Entitlement.objects.filter(household__village__parent__in=ids, monitoring_marked=True)
    stock = rows.filter(_in_force(day))
    measured = Measure.objects.filter(household=OuterRef("household"), referred_on__lte=day).exclude(
        status=MeasureStatus.DECLINED
    )
    for r in stock.values(TOWNSHIP, "monitoring_type").annotate(
        households=Count("pk"),
        with_dibao_or_tekun=Count("pk", filter=Q(category__in=("dibao", "tekun"))),
        new=Count("pk", filter=~Q(_marked_on(before))),
        with_measures=Count("pk", filter=Q(Exists(measured))),
    ):
        cell = _cell(out, r[TOWNSHIP], r["monitoring_type"])
        for k in ("households", "with_dibao_or_tekun", "new"):
            cell[k] += r[k]
        out[r[TOWNSHIP]]["households_with_measures"] += r["with_measures"]
    people = EntitlementMember.objects.filter(entitlement__in=stock.values("pk"))
    for r in people.values(f"entitlement__{TOWNSHIP}", "entitlement__monitoring_type").annotate(
        n=Count("pk")
    ):
        _cell(out, r[f"entitlement__{TOWNSHIP}"], r["entitlement__monitoring_type"])["people"] += r["n"]
    exits = rows.filter(_in_force(before)).exclude(_marked_on(day))
    for r in exits.values(TOWNSHIP, "monitoring_type").annotate(
        exits=Count("pk"), risk_closed=Count("pk", filter=Q(end_basis=Basis.RISK_CLOSURE))
    ):
        cell = _cell(out, r[TOWNSHIP], r["monitoring_type"])
        cell["exits"] += r["exits"]
        cell["risk_closed"] += r["risk_closed"]
    return out


def _cell(out: dict, township: int, mtype: str) -> dict:
    return out[township]["types"][mtype if mtype in TYPES else "unknown"]


def sums(summary: dict) -> dict:
    """Every type together (the 合计 row)."""
    return {k: sum(c[k] for c in summary["types"].values()) for k in KEYS}


def total(parts: Iterable[dict]) -> dict:
    """The sum of several townships' summaries; a month stored before the summary existed adds nothing."""
    types = {t: _empty() for t in TYPES}
    with_measures = 0
    for p in parts:
        for t, cell in (p or {}).get("types", {}).items():
            for k, n in cell.items():
                types.setdefault(t, _empty())[k] += n
        with_measures += (p or {}).get("households_with_measures", 0)
    return {"types": types, "households_with_measures": with_measures}
