"""`safetynet params show [--region CODE] --on DATE [--json]`: the parameter values in force."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from safetynet.assessments.management.commands._common import fail, parse_day
from safetynet.core.areas import configured_county
from safetynet.core.errors import SafetynetError
from safetynet.policy import dumps, load_parameters


class Command(BaseCommand):
    help = "查看某地某日生效的救助参数"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["show"], help="show：列出生效参数")
        parser.add_argument(
            "--region",
            default=configured_county(),
            help="县级行政区划代码（村、乡镇代码取其所属县；默认本系统所服务的县）",
        )
        parser.add_argument("--on", help="日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true", help="输出扁平 JSON 对象 {名称: 取值}")

    def handle(self, *args, **options):
        try:
            day = parse_day(options.get("on"))
            params = load_parameters(options["region"]).on(day)
        except SafetynetError as error:
            fail(self, error)
            return
        if options["json"]:
            self.stdout.write(dumps(params.values(), indent=2))
            return
        self._table(params)

    def _table(self, params) -> None:
        from rich.console import Console
        from rich.table import Table

        ps = params.parameter_set
        table = Table(
            title=f"{ps.region_name or ps.region} 救助参数 · {params.day.isoformat()} 生效 · {ps.version}",
            show_lines=False,
        )
        for column in ("名称", "标签", "取值", "单位", "生效日期", "已核实", "依据"):
            table.add_column(column, overflow="fold")
        for name in sorted(params.entries):
            entry = params.meta(name)
            table.add_row(
                name,
                params.label(name),
                str(entry.value),
                params.unit(name),
                entry.effective_from.isoformat(),
                "是" if entry.verified else "否（示例值）",
                entry.reference,
            )
        console = Console(file=self.stdout, width=200, soft_wrap=False)
        console.print(table)
        unverified = params.unverified_names(used_only=False)
        if unverified:
            console.print(f"[bold yellow]注意：{len(unverified)} 项参数尚未经县级核实，结果仅供参考。[/]")
