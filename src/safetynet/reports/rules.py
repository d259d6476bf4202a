"""按月上报变化情况: the counting rules of the monthly change report, pure (no Django).

Plain rows of the entitlement timeline in (as the report's cutoff knew them), plain lines out. The
definitions are docs/monthly-report.md's; in short, for a household and a month M:

- its *roster entry* for M is the last of its rows in force on any day of M (the one with the
  latest start); a household with a row in force on any day of M is on M's roster;
- **new** (新增) in M: on M's roster and not on M−1's;
- **stopped** (减少/退出) in M: on M−1's roster and not on M's;
- **changed** (变更) in M: on both, and the two entries differ in category, the 防返贫监测 mark,
  its type or the household's monthly amount.

People follow the same rule over persons (a person's entry is their member part of the entry of
the household whose entry lists them, the latest-starting if two do). So opening + new − stopped
= closing, for households and for people, and opening amount + Σ(after − before) = closing amount.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")
NEW, CHANGED, STOPPED = "new", "changed", "stopped"
KINDS = (NEW, CHANGED, STOPPED)
# The terms whose difference makes a change, in the order a line names them.
TERM_FIELDS = ("category", "monitoring_marked", "monitoring_type", "amount")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-06' → Month(2026, 6); ValueError for anything else."""
        m = _MONTH.match((text or "").strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
            raise ValueError(text)
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the month (exclusive end)."""
        return self.next().first

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def prev(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def label(self) -> str:
        return f"{self.year}年{self.month}月"


@dataclass(frozen=True)
class MemberPart:
    person_id: int
    category: str
    amount: Decimal = ZERO


@dataclass(frozen=True)
class Row:
    """One row of the timeline, with `valid_until` as the cutoff knew it."""

    id: int
    household_id: int
    valid_from: dt.date
    valid_until: dt.date | None
    category: str
    monitoring_marked: bool = False
    monitoring_type: str = ""
    amount: Decimal = ZERO
    members: tuple[MemberPart, ...] = ()

    def in_force_during(self, month: Month) -> bool:
        return self.valid_from < month.end and (self.valid_until is None or self.valid_until > month.first)


def roster_entry(rows: Iterable[Row], month: Month) -> Row | None:
    """The household's entry on month M's roster: the latest-starting row in force on any day of M."""
    found = [r for r in rows if r.in_force_during(month)]
    return max(found, key=lambda r: (r.valid_from, r.id)) if found else None


@dataclass(frozen=True)
class Terms:
    category: str
    monitoring_marked: bool
    monitoring_type: str
    amount: Decimal
    people: int

    @classmethod
    def of(cls, row: Row) -> Terms:
        return cls(
            row.category,
            bool(row.monitoring_marked),
            (row.monitoring_type or "") if row.monitoring_marked else "",
            Decimal(row.amount),
            len(row.members),
        )

    @property
    def monitoring_group(self) -> str:
        """The by-mark breakdown's group: the monitoring type, `marked` without one, `none`."""
        if not self.monitoring_marked:
            return "none"
        return self.monitoring_type or "marked"


@dataclass(frozen=True)
class HouseholdLine:
    household_id: int
    kind: str
    before: Terms | None
    after: Terms | None
    changed: tuple[str, ...] = ()  # which of TERM_FIELDS differ (a change)

    @property
    def group_terms(self) -> Terms:
        """Where the line is counted in the breakdowns: a stop under what stopped, else what is now."""
        return self.before if self.kind == STOPPED else self.after  # type: ignore[return-value]


def household_line(household_id: int, before: Row | None, after: Row | None) -> HouseholdLine | None:
    if before is None and after is None:
        return None
    if before is None:
        return HouseholdLine(household_id, NEW, None, Terms.of(after))
    if after is None:
        return HouseholdLine(household_id, STOPPED, Terms.of(before), None)
    b, a = Terms.of(before), Terms.of(after)
    changed = tuple(f for f in TERM_FIELDS if getattr(b, f) != getattr(a, f))
    return HouseholdLine(household_id, CHANGED, b, a, changed) if changed else None


@dataclass(frozen=True)
class PersonTerms:
    household_id: int
    category: str
    monitoring_marked: bool
    monitoring_type: str
    amount: Decimal  # the member's own amount (单人保, individual 特困); 0 for the others
    household_amount: Decimal


@dataclass(frozen=True)
class PersonLine:
    person_id: int
    kind: str
    before: PersonTerms | None
    after: PersonTerms | None

    @property
    def household_id(self) -> int:
        return (self.after or self.before).household_id  # type: ignore[union-attr]


def _person_roster(entries: Mapping[int, Row]) -> dict[int, PersonTerms]:
    """{person: their terms} over the households' entries; a person listed by two households'
    entries counts once, with the latest-starting entry."""
    chosen: dict[int, tuple[tuple, PersonTerms]] = {}
    for row in entries.values():
        rank = (row.valid_from, row.id)
        for m in row.members:
            terms = PersonTerms(
                row.household_id,
                m.category or row.category,
                bool(row.monitoring_marked),
                (row.monitoring_type or "") if row.monitoring_marked else "",
                Decimal(m.amount),
                Decimal(row.amount),
            )
            if m.person_id not in chosen or rank > chosen[m.person_id][0]:
                chosen[m.person_id] = (rank, terms)
    return {pid: terms for pid, (_, terms) in chosen.items()}


def person_lines(before: Mapping[int, Row], after: Mapping[int, Row]) -> list[PersonLine]:
    old, new = _person_roster(before), _person_roster(after)
    lines = []
    for pid in sorted(old.keys() | new.keys()):
        b, a = old.get(pid), new.get(pid)
        if b is None:
            lines.append(PersonLine(pid, NEW, None, a))
        elif a is None:
            lines.append(PersonLine(pid, STOPPED, b, None))
        elif a != b:
            lines.append(PersonLine(pid, CHANGED, b, a))
    return lines


@dataclass(frozen=True)
class Roster:
    households: int
    people: int
    amount: Decimal


def _roster(entries: Mapping[int, Row]) -> Roster:
    return Roster(
        len(entries),
        len(_person_roster(entries)),
        sum((Decimal(r.amount) for r in entries.values()), ZERO),
    )


@dataclass(frozen=True)
class MonthResult:
    month: Month
    opening: Roster
    closing: Roster
    households: list[HouseholdLine] = field(default_factory=list)
    people: list[PersonLine] = field(default_factory=list)


def entries(rows_by_household: Mapping[int, Sequence[Row]], month: Month) -> dict[int, Row]:
    found = {h: roster_entry(rows, month) for h, rows in rows_by_household.items()}
    return {h: r for h, r in found.items() if r is not None}


def month_result(rows_by_household: Mapping[int, Sequence[Row]], month: Month) -> MonthResult:
    before, after = entries(rows_by_household, month.prev()), entries(rows_by_household, month)
    lines = [
        line
        for h in sorted(before.keys() | after.keys())
        if (line := household_line(h, before.get(h), after.get(h))) is not None
    ]
    return MonthResult(month, _roster(before), _roster(after), lines, person_lines(before, after))


def household_lines(rows_by_household: Mapping[int, Sequence[Row]], month: Month) -> dict[int, HouseholdLine]:
    """Only the household lines of a month (what corrections compare)."""
    lines = {}
    for h, rows in rows_by_household.items():
        line = household_line(h, roster_entry(rows, month.prev()), roster_entry(rows, month))
        if line is not None:
            lines[h] = line
    return lines


# ---- the breakdowns ---------------------------------------------------------------------------


def _blank() -> dict:
    out = {}
    for kind in KINDS:
        out.update(
            {f"{kind}_households": 0, f"{kind}_people": 0, f"{kind}_before": ZERO, f"{kind}_after": ZERO}
        )
    return out


def _add(cell: dict, line: HouseholdLine, people: int) -> None:
    k = line.kind
    cell[f"{k}_households"] += 1
    cell[f"{k}_people"] += people
    cell[f"{k}_before"] += line.before.amount if line.before else ZERO
    cell[f"{k}_after"] += line.after.amount if line.after else ZERO


def breakdowns(result: MonthResult) -> dict:
    """{"totals": cell, "by_category": {category: cell}, "by_monitoring": {group: cell}}.

    A household line is counted under its group terms (a stop under the row that stopped, the
    others under the row now in force); its people are the person lines of that household and
    kind, counted with it. Amounts are the households' monthly amounts before and after."""
    people: dict[tuple[int, str], int] = {}
    for p in result.people:
        people[(p.household_id, p.kind)] = people.get((p.household_id, p.kind), 0) + 1
    # A person line whose household has no line of the same kind (a member joining or leaving a
    # household that did not change) is counted under the household's current group.
    totals, by_category, by_monitoring = _blank(), {}, {}
    counted = set()
    for line in result.households:
        n = people.get((line.household_id, line.kind), 0)
        counted.add((line.household_id, line.kind))
        terms = line.group_terms
        for table, key in ((by_category, terms.category), (by_monitoring, terms.monitoring_group)):
            _add(table.setdefault(key, _blank()), line, n)
        _add(totals, line, n)
    for p in result.people:
        if (p.household_id, p.kind) in counted:
            continue
        terms = p.after or p.before
        group = (terms.monitoring_type or "marked") if terms.monitoring_marked else "none"
        for table, key in ((by_category, terms.category), (by_monitoring, group)):
            table.setdefault(key, _blank())[f"{p.kind}_people"] += 1
        totals[f"{p.kind}_people"] += 1
    return {"totals": totals, "by_category": by_category, "by_monitoring": by_monitoring}


# ---- corrections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """A month already reported, as reported and as now known (更正)."""

    month: Month
    household_id: int
    reported: HouseholdLine | None
    corrected: HouseholdLine | None


def corrections(
    reported: Mapping[int, Sequence[Row]],
    known: Mapping[int, Sequence[Row]],
    months: Iterable[Month],
) -> list[Correction]:
    """Every household line of the given months that differs between the timeline as it was
    reported (`reported`) and as it is known now (`known`), oldest month first."""
    out = []
    for month in sorted(months):
        old, new = household_lines(reported, month), household_lines(known, month)
        for h in sorted(old.keys() | new.keys()):
            if old.get(h) != new.get(h):
                out.append(Correction(month, h, old.get(h), new.get(h)))
    return out
