"""`safetynet cases scan-deadlines [--on DATE]`: the daily deadline scan, run by hand or from cron
(the huey worker runs it at 07:00 by itself)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from safetynet.cases.services import scan_deadlines


class Command(BaseCommand):
    help = "认定程序：scan-deadlines 检查即将到期和超期的案件并发送待办提醒。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan-deadlines", help="检查办理时限")
        scan.add_argument("--on", help="检查日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, **opts):
        on = None
        if opts.get("on"):
            try:
                on = dt.date.fromisoformat(opts["on"])
            except ValueError:
                raise CommandError(f"日期“{opts['on']}”无效，应为 YYYY-MM-DD。") from None
        self.stdout.write(json.dumps(scan_deadlines(on), ensure_ascii=False))
