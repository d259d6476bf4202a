"""For random timelines (pure rules, no database): every month balances (opening + new − stopped =
closing, for households, people and amounts), and each household's line agrees with a plain
per-day reading of the definition in docs/monthly-report.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from safetynet.reports import rules

BASE = dt.date(2026, 1, 1)
M = rules.Month


def _timeline(hid: int, cuts: list[tuple[int, int, bool, int]]) -> list[rules.Row]:
    """Consecutive rows from sorted day offsets; `gap` leaves a hole after a row."""
    rows, day = [], 0
    for i, (length, amount, gap, people) in enumerate(cuts):
        start = BASE + dt.timedelta(days=day)
        end = start + dt.timedelta(days=length)
        members = tuple(rules.MemberPart(hid * 100 + p, "dibao") for p in range(people))
        rows.append(
            rules.Row(i + hid * 1000, hid, start, end, "dibao" if amount else "dibao_edge",
                      amount % 3 == 0, "edge_prone" if amount % 3 == 0 else "", Decimal(amount), members)
        )  # fmt: skip
        day += length + (20 if gap else 0)
    return rows


households = st.lists(
    st.lists(
        st.tuples(st.integers(1, 90), st.sampled_from([0, 300, 450, 600]), st.booleans(), st.integers(1, 3)),
        min_size=1,
        max_size=6,
    ),
    min_size=1,
    max_size=6,
)


def _in_force_some_day(rows, month: M):
    days = [month.first + dt.timedelta(days=d) for d in range((month.end - month.first).days)]
    found = [r for r in rows if any(r.valid_from <= d < r.valid_until for d in days)]
    return max(found, key=lambda r: r.valid_from) if found else None


@settings(max_examples=150, deadline=None)
@given(households)
def test_every_month_balances_and_matches_the_definition(spec):
    timeline = {h: _timeline(h, cuts) for h, cuts in enumerate(spec, start=1)}
    for month in [M(2026, m) for m in range(1, 13)] + [M(2027, 1), M(2027, 6)]:
        result = rules.month_result(timeline, month)
        t = rules.breakdowns(result)["totals"]
        o, c = result.opening, result.closing
        assert o.households + t["new_households"] - t["stopped_households"] == c.households
        assert o.people + t["new_people"] - t["stopped_people"] == c.people
        delta = sum(t[f"{k}_after"] - t[f"{k}_before"] for k in rules.KINDS)
        assert o.amount + delta == c.amount
        lines = {line.household_id: line for line in result.households}
        for h, rows in timeline.items():
            before, after = _in_force_some_day(rows, month.prev()), _in_force_some_day(rows, month)
            line = lines.get(h)
            if before is None and after is not None:
                assert line.kind == "new"
            elif before is not None and after is None:
                assert line.kind == "stopped"
            elif before is not None and (before.category, before.amount, before.monitoring_type) != (
                after.category, after.amount, after.monitoring_type,
            ):  # fmt: skip
                assert line.kind == "changed"
            else:
                assert line is None
