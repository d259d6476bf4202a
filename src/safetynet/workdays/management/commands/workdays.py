"""`safetynet workdays add --from DATE --days N`: the N-th working day after DATE."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from safetynet.workdays.services import work_calendar


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "工作日计算（含国务院节假日安排与调休）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="起算日之后第N个工作日（起算日次日开始计算）")
        add.add_argument("--from", dest="start", required=True)
        add.add_argument("--days", type=int, required=True)
        between = sub.add_parser("between", help="两个日期之间的工作日数")
        between.add_argument("--from", dest="start", required=True)
        between.add_argument("--to", dest="end", required=True)

    def handle(self, *args, **opts):
        cal = work_calendar()
        start = _date(opts["start"])
        if opts["action"] == "add":
            if opts["days"] < 0:
                raise CommandError("--days 不能为负数。")
            result = cal.add_working_days(start, opts["days"])
            if result.provisional:
                self.stderr.write("注意：所涉年份尚无国务院节假日安排数据，仅按周末推算（临时结果）。")
            self.stdout.write(result.date.isoformat())
        else:
            self.stdout.write(str(cal.working_days_between(start, _date(opts["end"]))))
