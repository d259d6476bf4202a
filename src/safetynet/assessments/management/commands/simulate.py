"""`safetynet simulate --on 2027-01-01 --set dibao.standard_monthly.rural=650 …`: what changes, per
township and category, if candidate values take effect; and the two lines year by year."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from safetynet.assessments.management.commands._common import fail, parse_day
from safetynet.assessments.simulation import CATEGORY_ORDER, simulate, two_lines
from safetynet.core.areas import configured_county
from safetynet.core.errors import SafetynetError, ValidationFailed
from safetynet.core.glossary import CATEGORY_TERSE_LABELS
from safetynet.policy import jsonable

LABELS = CATEGORY_TERSE_LABELS


def candidate_entries(pairs: list[str], on, reference: str) -> list[dict]:
    entries = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValidationFailed(
                f"候选参数“{pair}”应写作 名称=取值。", code="invalid_candidate", field="set"
            )
        entries.append(
            {
                "name": name.strip(),
                "value": value.strip(),
                "effective_from": on,
                "reference": reference,
                "verified": False,
                "note": "模拟测算候选值",
            }
        )
    return entries


class Command(BaseCommand):
    help = "参数调整模拟：按乡镇、类别统计户数人数变化与年度资金，并列出监测线与低保边缘线的差距。"

    def add_arguments(self, parser):
        parser.add_argument("--region", default=configured_county())
        parser.add_argument("--on", required=True, help="候选参数生效日期 YYYY-MM-DD")
        parser.add_argument("--today", help="对照日期（默认今天）")
        parser.add_argument(
            "--set", action="append", default=[], metavar="NAME=VALUE", help="候选参数值，可多次"
        )
        parser.add_argument("--reference", default="参数调整模拟测算（候选值，未发布）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        try:
            on = parse_day(opts["on"])
            today = parse_day(opts["today"], field="today") if opts["today"] else None
            entries = candidate_entries(opts["set"], on, opts["reference"])
            report = simulate(region=opts["region"], candidates=entries, on=on, today=today)
            report["two_lines"] = two_lines(opts["region"], range(2024, on.year + 1), candidates=entries)
        except SafetynetError as err:
            fail(self, err)
        if opts["json"]:
            self.stdout.write(json.dumps(jsonable(report), ensure_ascii=False))
            return
        self._print(report)

    def _print(self, report: dict) -> None:
        console = Console(file=self.stdout, width=220)
        table = Table(
            title=f"模拟：{report['current']['on']} 现行参数 → {report['candidate']['on']} 候选参数"
        )
        table.add_column("乡镇")
        for c in CATEGORY_ORDER:
            table.add_column(f"{LABELS[c]}户（前→后）", justify="right")
        table.add_column("变化户/人", justify="right")
        table.add_column("年度资金（前→后，元）", justify="right")
        for row in [*report["townships"], {"name": "合计", **report["total"]}]:
            cats = row["categories"]
            table.add_row(
                row["name"],
                *[f"{cats[c]['households_before']}→{cats[c]['households_after']}" for c in CATEGORY_ORDER],
                f"{row['changed_households']}/{row['changed_people']}",
                f"{row['yearly_cost_before']:,}→{row['yearly_cost_after']:,}",
            )
        console.print(table)
        lines = Table(title="两线合一：监测线与农村低保边缘线（元/人/年）")
        for col in ("年份", "防返贫监测线", "低保边缘线", "差距", "已核实"):
            lines.add_column(col, justify="right")
        for r in report["two_lines"]:
            lines.add_row(
                str(r["year"]),
                f"{r['monitoring_line']:,}",
                f"{r['edge_line']:,}",
                f"{r['gap']:,}",
                "是" if r["verified"] else "否（示例值）",
            )
        console.print(lines)
        if report["unverified_parameters"]:
            console.print("注意：使用了未经核实的参数：" + "、".join(report["unverified_parameters"]))
