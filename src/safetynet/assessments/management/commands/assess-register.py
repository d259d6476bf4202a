"""`safetynet assess-register`: re-assess the whole register in batch, with a progress bar.

From the database (default): every household, each result stored as an `Assessment` with the
parameter version and digest it used. From Parquet (`--parquet DIR` holding `households.parquet`
and `members.parquet` in the `HouseholdTable` column layout, docs/policy-engine.md): results are
written to `--out FILE.parquet`, one row per household with the parameter version.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from safetynet import policy
from safetynet.assessments.management.commands._common import fail, parse_day
from safetynet.assessments.services import assess_register, parameter_set
from safetynet.core.areas import configured_county
from safetynet.core.errors import SafetynetError


def _progress() -> Progress:
    return Progress(
        TextColumn("认定测算"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    )


class Command(BaseCommand):
    help = "全部在册户批量重新测算（数据库或 Parquet 文件），保存结果及所用参数版本。"

    def add_arguments(self, parser):
        parser.add_argument("--on", help="测算日期 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--region", default=configured_county(), help="县级区划代码（默认本系统所服务的县）"
        )
        parser.add_argument("--parquet", help="含 households.parquet 与 members.parquet 的目录")
        parser.add_argument("--out", help="Parquet 输入时的结果文件")

    def handle(self, *args, **opts):
        try:
            on = parse_day(opts["on"])
            if opts["parquet"]:
                summary = self._parquet(on, opts["region"], Path(opts["parquet"]), opts["out"])
            else:
                with _progress() as bar:
                    task = bar.add_task("assess", total=None)
                    run = assess_register(
                        on=on,
                        region=opts["region"],
                        progress=lambda done, total: bar.update(task, completed=done, total=total),
                    )
                summary = {
                    "run": run.pk,
                    "households": run.households,
                    "parameters_version": run.parameters_version,
                    **run.summary,
                }
                summary.pop("invalid", None)
        except SafetynetError as err:
            fail(self, err)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))

    def _parquet(self, on, region, folder: Path, out: str | None) -> dict:
        import duckdb
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not out:
            raise CommandError("Parquet 输入须用 --out 指定结果文件。")
        for name in ("households.parquet", "members.parquet"):
            if not (folder / name).exists():
                raise CommandError(f"{folder} 中没有 {name}。")
        con = duckdb.connect()
        with _progress() as bar:
            task = bar.add_task("assess", total=3)
            hh = con.sql(f"select * from read_parquet('{folder / 'households.parquet'}')").fetchnumpy()
            mm = con.sql(f"select * from read_parquet('{folder / 'members.parquet'}')").fetchnumpy()
            bar.update(task, advance=1)
            table = policy.HouseholdTable.from_columns(hh, mm)
            params = parameter_set(region).on(on)
            result = policy.assess_batch(table, params)
            bar.update(task, advance=1)
            cols = {k: v for k, v in result.columns.items() if len(v) == table.n_households}
            out_table = pa.table(
                {**cols, "parameters_version": [result.parameters_version] * table.n_households}
            )
            pq.write_table(out_table, out)
            bar.update(task, advance=1)
        categories = dict(
            zip(
                *map(list, __import__("numpy").unique(result.category_names(), return_counts=True)),
                strict=True,
            )
        )
        return {
            "households": table.n_households,
            "out": out,
            "parameters_version": result.parameters_version,
            "categories": {str(k): int(v) for k, v in categories.items()},
        }
