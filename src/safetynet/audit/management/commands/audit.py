"""`safetynet audit verify`: check the hash chain; exit 0 when intact, 1 naming the first bad record."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from safetynet.audit.services import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链是否完整。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验审计日志哈希链")
        verify.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        report = verify_chain()
        if opts.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "first_bad_seq": report.first_bad_seq,
                        "problem": report.problem,
                    },
                    ensure_ascii=False,
                )
            )
        elif report.ok:
            self.stdout.write(f"审计日志完整：已校验 {report.checked} 条记录。")
        else:
            self.stderr.write(
                f"审计日志被篡改：第一条有问题的记录为 #{report.first_bad_seq}。{report.problem}"
            )
        if not report.ok:
            sys.exit(1)
