"""`safetynet demo-clock`: show or move the demo's clock (the demo only; see core/clock.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from safetynet.core import clock


class Command(BaseCommand):
    help = "演示时钟：查看或前移演示用的日期（仅演示环境）。"

    def add_arguments(self, parser):
        parser.add_argument("--advance", type=int, metavar="N", help="前移N天")
        parser.add_argument("--reset", action="store_true", help="回到真实日期")

    def handle(self, *args, **opts):
        if not clock.demo_clock_on():
            raise CommandError("演示时钟未开启（仅 safetynet demo 环境可用）。")
        if opts["reset"]:
            clock.set_demo_offset(0)
        elif opts["advance"] is not None:
            if opts["advance"] < 0:
                raise CommandError("演示时钟只能前移。")
            clock.set_demo_offset(clock.demo_offset() + opts["advance"])
        self.stdout.write(f"演示日期：{clock.today().isoformat()}（比真实日期提前{clock.demo_offset()}天）")
