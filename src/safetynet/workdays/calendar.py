"""Working days on the State Council's yearly holiday notice (国务院办公厅关于…部分节假日安排的通知).

A day is a working day unless it is a weekend or a holiday, except the weekend make-up days (调休)
that the notice declares working. Sources, strongest first:
1. entries of the admin-edited official calendar (the notice as the county transcribed it);
2. the `holidays` package's China calendar, for the years whose notice it encodes;
3. weekends alone, for a year with neither: the result is then *provisional* and says so.

Counting follows the procedure rules: the n-th working day after a start date counts from the
day after the start date (the start date itself never counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays
from holidays.countries.china import ChinaStaticHolidays

HOLIDAY, WORKDAY = "holiday", "workday"


@dataclass(frozen=True)
class OfficialDay:
    date: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str = ""


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool  # some day counted lies in a year without official data


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    cn = holidays.China(years=year)
    return frozenset(cn.keys()), frozenset(d for d in cn.weekend_workdays if d.year == year)


PACKAGE_YEARS = frozenset(ChinaStaticHolidays.special_public_holidays)


class WorkCalendar:
    def __init__(self, official: Iterable[OfficialDay] = (), official_years: Iterable[int] = ()):
        self._override = {d.date: d.kind for d in official}
        # A year the admin has transcribed counts as official even if the package lacks it.
        self._admin_years = frozenset(official_years) | {d.year for d in self._override}
        self._between: dict[tuple[dt.date, dt.date], int] = {}  # a list's cases share their dates

    def has_official_data(self, year: int) -> bool:
        return year in self._admin_years or year in PACKAGE_YEARS

    def is_working_day(self, day: dt.date) -> bool:
        kind = self._override.get(day)
        if kind is not None:
            return kind == WORKDAY
        if day.year in PACKAGE_YEARS:
            holiday_days, make_up_days = _package_year(day.year)
            if day in make_up_days:
                return True
            if day in holiday_days:
                return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> Deadline:
        """The `days`-th working day after `start` (counting from the next day)."""
        if days < 0:
            raise ValueError("days must be zero or more")
        day, counted, provisional = start, 0, False
        while counted < days:
            day += dt.timedelta(days=1)
            provisional |= not self.has_official_data(day.year)
            if self.is_working_day(day):
                counted += 1
        return Deadline(day, provisional)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = self._between.get((start, end))
        if count is None:
            count, day = 0, start
            while day < end:
                day += dt.timedelta(days=1)
                count += self.is_working_day(day)
            self._between[start, end] = count
        return count
