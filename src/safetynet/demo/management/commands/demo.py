"""`safetynet demo`: migrate the embedded database, load the demo county if empty, serve."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from safetynet.assessments.services import assess_register
from safetynet.core.areas import configured_county
from safetynet.demo.generate import generate
from safetynet.demo.load import DEMO_PASSWORD, account_table, load_demo, load_exchange_samples
from safetynet.demo.roll import after_admission


class Command(BaseCommand):
    help = "创建或复用数据目录，迁移数据库，首次运行时载入演示县（乡宁县，虚构数据），并启动网页与接口服务。"
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--reset", action="store_true", help="删除演示数据库并重建")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--households", type=int, default=4000)
        parser.add_argument("--seed", type=int, default=141029)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-exchange",
            action="store_true",
            help="不生成全县约20.7万居民的部门比对样例数据（默认在后台生成、入库并运行大数据比对，约需2分钟）",
        )

    def handle(self, *args, **opts):
        db = settings.DATABASES["default"]
        self.stdout.write(f"数据目录: {settings.DATA_DIR}")
        if opts["reset"]:
            self._reset(db)
        call_command("migrate", verbosity=0, interactive=False)
        from safetynet.registry.models import Household

        fresh = not Household.objects.exists()
        if fresh:
            started = time.perf_counter()
            summary = load_demo(generate(households=opts["households"], seed=opts["seed"]))
            took = time.perf_counter() - started
            self.stdout.write(
                f"已载入演示县乡宁县（虚构数据）：{summary['villages']}个村，{summary['households']}户，"
                f"{summary['persons']}人，用时{took:.1f}秒。"
            )
            run = assess_register(on=timezone.localdate())
            self.stdout.write(
                f"已按现行参数测算全部{run.households}户（参数版本 {run.parameters_version}）。"
            )
            after = after_admission(county=configured_county(), seed=opts["seed"])
            self.stdout.write(
                f"已建立待遇时间轴：{after['rows']}户（年内停发{after['stopped']}户），"
                f"巡访探视{after['visits']}次，帮扶措施建议{after['measures']}条，临时救助申请{after['relief']}件。"
            )
        else:
            self.stdout.write("数据库已有数据，直接使用（--reset 可重建）。")
        self._print_accounts()
        exchange = fresh and not opts["no_exchange"]
        if opts["no_serve"]:
            if exchange:
                load_exchange_samples(self.stdout)
            return
        if exchange:
            self._exchange_in_background()
        self._serve(opts["host"], opts["port"], opts["threads"])

    def _exchange_in_background(self):
        """The register is served at once; the department files follow in a child process."""
        log = settings.DATA_DIR / "demo-exchange.log"
        child = subprocess.Popen(
            [sys.executable, "-m", "safetynet.cli", "demo_exchange"],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
        atexit.register(child.terminate)
        self.stdout.write(f"正在后台生成全县部门比对样例数据并运行大数据比对（约2分钟），进度见 {log}")

    def _reset(self, db):
        if not db["ENGINE"].endswith("sqlite3"):
            raise CommandError("--reset 只用于内置 SQLite 演示数据库；PostgreSQL 请由管理员重建数据库。")
        connections.close_all()
        path = settings.DATA_DIR / "safetynet.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            target = path.with_name(path.name + suffix)
            if target.exists():
                target.unlink()
        self.stdout.write("已删除演示数据库，将重建。")

    def _print_accounts(self):
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, name in account_table():
            self.stdout.write(f"  {username:<22} {role:<14} {name}")

    def _serve(self, host: str, port: int, threads: int):
        from waitress import serve

        from safetynet.wsgi import application

        self.stdout.write(f"服务已启动: http://{host}:{port}/  （接口文档 http://{host}:{port}/api/v1/docs）")
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="safetynet")
