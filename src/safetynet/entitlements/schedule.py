"""When a row must be reviewed, and when a time-limited row ends (POLICY.md §4, §7).

Pure functions over the parameters in force on the row's start: a 低保 family whose income is
unstable and who has members able to work is reviewed every `review.interval_months_unstable`
months, every other row every `review.interval_months`; a 刚性支出困难家庭 row is valid
`rigid.valid_months` and then ends unless renewed (it has an end instead of a review).

"Income unstable" is read off the facts the decision was made on: wage or business income, the
kinds that vary month to month (POLICY.md §2), earned in the household. "Able to work": a counted
member of working age (`person.adult_age_from` ≤ age < `person.old_age_from`) whose labour
capacity is full or partial. Both are this system's reading of the national text, which names the
families but not the test (民发〔2021〕57号 第三十条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has none (31 Jan + 1 → 28 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_after(day: dt.date) -> dt.date:
    """The first day of the month after `day`: payment starts, and a stop takes effect, then."""
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass(frozen=True)
class MemberFacts:
    age: int
    labour_capacity: str  # full / partial / none
    variable_income: Decimal  # wage + business income of the 12 months


@dataclass(frozen=True)
class Schedule:
    review_due: dt.date | None
    valid_until: dt.date | None
    unstable: bool


def schedule_for(category: str, valid_from: dt.date, members: list[MemberFacts], params) -> Schedule:
    if category == "rigid_hardship":
        return Schedule(None, add_months(valid_from, int(params["rigid.valid_months"])), False)
    adult, old = int(params["person.adult_age_from"]), int(params["person.old_age_from"])
    able = any(adult <= m.age < old and m.labour_capacity in ("full", "partial") for m in members)
    variable = sum((m.variable_income for m in members), Decimal(0)) > 0
    unstable = category == "dibao" and able and variable
    months = int(params["review.interval_months_unstable" if unstable else "review.interval_months"])
    return Schedule(add_months(valid_from, months), None, unstable)
