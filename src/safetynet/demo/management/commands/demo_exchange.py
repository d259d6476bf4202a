"""`safetynet demo_exchange`: the demo's department sample files and comparison run (the demo
command starts it in the background after the register is served)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from safetynet.demo.load import load_exchange_samples


class Command(BaseCommand):
    help = "演示：生成全县部门比对样例数据、入库并运行大数据比对。"

    def handle(self, *args, **opts):
        load_exchange_samples(self.stdout)
        self.stdout.write("演示部门数据已入库，大数据比对完成。")
