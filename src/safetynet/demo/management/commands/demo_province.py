"""`safetynet demo_province`: load a generated province into the configured (empty) database, with
a progress bar; the figures of the load on the last line as JSON."""

from __future__ import annotations

import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from safetynet.demo.province import CHUNK_HOUSEHOLDS, PROVINCE_COUNTIES, PROVINCE_HOUSEHOLDS, load_province


class Command(BaseCommand):
    help = "向配置的空数据库载入虚构的省级演示数据（默认12个县、70万户约200万人，含测算、待遇、线索与案件），用于规模与压力测试。"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=PROVINCE_HOUSEHOLDS)
        parser.add_argument("--counties", type=int, default=PROVINCE_COUNTIES)
        parser.add_argument("--seed", type=int, default=20261204)
        parser.add_argument(
            "--workers", type=int, default=None, help="进程数（默认：PostgreSQL 为CPU核数，SQLite 为1）"
        )
        parser.add_argument("--chunk", type=int, default=CHUNK_HOUSEHOLDS, help="每批住户数")

    def handle(self, *args, **opts):
        call_command("migrate", verbosity=0, interactive=False)
        started = time.monotonic()
        with Progress(
            TextColumn("载入省级演示数据"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("户"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=None,
            transient=False,
        ) as bar:
            task = bar.add_task("load", total=opts["households"])
            try:
                summary = load_province(
                    households=opts["households"],
                    counties=opts["counties"],
                    seed=opts["seed"],
                    workers=opts["workers"],
                    chunk_households=opts["chunk"],
                    progress=lambda done, total: bar.update(task, completed=done),
                )
            except RuntimeError as err:
                raise CommandError(str(err)) from None
        summary["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
