"""`safetynet assess --on DATE FILE`: decide one household given as JSON (FILE `-` is stdin)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand

from safetynet.assessments.management.commands._common import fail, parse_day
from safetynet.assessments.services import assess_payload
from safetynet.core.errors import SafetynetError, ValidationFailed
from safetynet.policy import dumps


class Command(BaseCommand):
    help = "按政策规则测算一户家庭的认定结果（输入输出均为 JSON）"
    requires_system_checks: list = []
    requires_migrations_checks = False
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="家庭 JSON 文件；- 表示标准输入")
        parser.add_argument("--on", help="认定日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--no-trace", action="store_true", help="不输出规则轨迹")

    def handle(self, *args, **options):
        try:
            on = parse_day(options.get("on"))
            data = self._read(options["file"], options.get("stdin") or sys.stdin)
            result = assess_payload(data, on=on, trace=not options["no_trace"])
        except SafetynetError as error:
            fail(self, error)
            return
        self.stdout.write(dumps(result, indent=2))

    def _read(self, name: str, stdin):
        try:
            text = stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ValidationFailed(
                f"无法读取输入文件：{error}", code="unreadable_input", field="file"
            ) from None
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise ValidationFailed(
                f"输入不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）", code="invalid_json"
            ) from None
