"""The monitored-household summary for agriculture (防返贫监测对象汇总): per township and month, the
households and people marked for monitoring at the month's end by monitoring type, how many of
them also hold 低保 or 特困, how many were marked during the month and how many left monitoring
(of which through 风险消除), and how many have an assistance measure referred by the month's end.

Computed with the monthly statistics from the same timeline known at the same cutoff, and stored
with them (`statistics.compute`), so a past month reads the same every time (docs/statistics.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from safetynet.assistance.models import Measure, MeasureStatus
from safetynet.entitlements.models import Basis, Entitlement
from safetynet.reports.rules import Row

TYPES = ("unstable_alleviated", "edge_prone", "sudden_hardship", "unknown")
PAID_CATEGORIES = ("dibao", "tekun")


def _empty() -> dict:
    return {"households": 0, "people": 0, "with_dibao_or_tekun": 0, "new": 0, "exits": 0, "risk_closed": 0}


def _at(rows: list[Row], day: dt.date) -> Row | None:
    return next(
        (r for r in rows if r.valid_from <= day and (r.valid_until is None or r.valid_until > day)), None
    )


def figures(by_household: dict[int, list[Row]], first: dt.date, day: dt.date) -> dict:
    """`by_household`: each household's rows in force on some day from the day before `first` to
    `day` (the month's last day, or today in the current month)."""
    before = first - dt.timedelta(days=1)
    types = {t: _empty() for t in TYPES}
    marked_now: list[int] = []
    left: list[tuple[Row, Row | None]] = []  # (the marked row before, the row at the end or none)
    for household, rows in by_household.items():
        now, then = _at(rows, day), _at(rows, before)
        was = then is not None and then.monitoring_marked
        if now is not None and now.monitoring_marked:
            cell = types[now.monitoring_type if now.monitoring_type in TYPES else "unknown"]
            cell["households"] += 1
            cell["people"] += len(now.members)
            cell["with_dibao_or_tekun"] += now.category in PAID_CATEGORIES
            cell["new"] += not was
            marked_now.append(household)
        elif was:
            left.append((then, now))
    closed = _risk_closed(left)
    for then, _ in left:
        cell = types[then.monitoring_type if then.monitoring_type in TYPES else "unknown"]
        cell["exits"] += 1
        cell["risk_closed"] += then.id in closed
    return {"types": types, "households_with_measures": _with_measures(marked_now, day)}


def _risk_closed(left: list[tuple[Row, Row | None]]) -> set[int]:
    """The marked rows (of `left`) whose mark ended by 风险消除: the next row opened for it, or the
    row itself ended for it."""
    if not left:
        return set()
    ids = {r.id for pair in left for r in pair if r is not None}
    basis = {
        pk: (b, e)
        for pk, b, e in Entitlement.objects.filter(pk__in=ids).values_list("pk", "basis", "end_basis")
    }
    out = set()
    for then, now in left:
        via_next = now is not None and basis.get(now.id, ("", ""))[0] == Basis.RISK_CLOSURE
        via_end = now is None and basis.get(then.id, ("", ""))[1] == Basis.RISK_CLOSURE
        if via_next or via_end:
            out.add(then.id)
    return out


def _with_measures(households: Iterable[int], day: dt.date) -> int:
    return (
        Measure.objects.filter(household_id__in=list(households), referred_on__lte=day)
        .exclude(status=MeasureStatus.DECLINED)
        .values("household_id")
        .distinct()
        .count()
    )


KEYS = ("households", "people", "with_dibao_or_tekun", "new", "exits", "risk_closed")


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
