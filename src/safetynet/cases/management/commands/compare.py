"""`safetynet compare`: run every comparison rule over the whole register and raise leads."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from safetynet.core.errors import SafetynetError
from safetynet.verification.rules import RULES


class Command(BaseCommand):
    help = "大数据比对：以最新部门数据比对全部名册，按规则生成线索（重复运行不重复生成）。"

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--on", help="比对日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--rule", action="append", help="只运行指定规则（可重复）；默认全部")
        parser.add_argument("--list-rules", action="store_true", help="列出规则后退出")

    def handle(self, *args, **opts):
        from safetynet.cases.comparison import compare_and_file_leads
        from safetynet.verification.comparison import mark_interrupted_runs

        console = Console(stderr=True)
        if opts["list_rules"]:
            table = Table("code", "规则", "渠道", "来源", "依据")
            for r in RULES:
                table.add_row(r.code, r.label, r.channel, ",".join(r.sources) or "名册", r.basis)
            Console().print(table)
            return
        unknown = set(opts["rule"] or ()) - {r.code for r in RULES}
        if unknown:
            raise CommandError(f"未知规则：{', '.join(sorted(unknown))}")
        on = dt.date.fromisoformat(opts["on"]) if opts["on"] else None
        for pk in mark_interrupted_runs():
            self.stderr.write(f"上次的比对（运行编号 {pk}）未完成即中断，已标记为“已中断”；本次运行将补齐。")
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            rules_task = bar.add_task("规则", total=len(opts["rule"] or RULES))
            leads_task = bar.add_task("线索", total=None, visible=False)

            def progress(stage, done, total, label):
                if stage == "rule":
                    bar.update(rules_task, completed=done, total=total, description=f"规则 {label}")
                    bar.update(leads_task, visible=False)
                else:
                    bar.update(
                        leads_task, completed=done, total=total, visible=True, description=f"线索 {label}"
                    )

            try:
                run = compare_and_file_leads(
                    engine=opts["engine"],
                    on=on,
                    rules=tuple(opts["rule"]) if opts["rule"] else None,
                    progress=progress,
                ).run
            except SafetynetError as e:
                raise CommandError(e.message) from None
        table = Table("规则", "命中", "新线索", "已有", "无法派村", "数据期别")
        for code, s in run.summary.items():
            if "skipped" in s:
                table.add_row(code, "—", "—", "—", "—", "无数据，跳过")
            else:
                table.add_row(
                    code,
                    str(s["hits"]),
                    str(s["raised"]),
                    str(s["existing"]),
                    str(s["unplaced"]),
                    s["period"],
                )
        Console().print(table)
        self.stdout.write(
            f"比对完成：新线索 {run.leads_raised} 条，用时 {run.seconds:.1f} 秒（运行编号 {run.pk}）。"
        )
