"""Running the comparison rules: DuckDB embedded (default) or Spark through Ibis (`spark` extra).

`Engine.duckdb(memory_limit=..., temp_dir=...)` opens an in-process DuckDB with a memory limit and
a spill directory, so a province-sized comparison never needs more memory than it is given.
`Engine.spark(session)` wraps a `SparkSession` (local or a cluster; see docs/verification.md).
`engine.load(register, sources)` reads the register snapshot and each source's current records
(its files oldest first, one record per identity: the one sent last); `engine.run(rules, params)` yields `(rule, pyarrow.Table)` per rule. No Django here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from safetynet.verification.current import current_table
from safetynet.verification.ingest import output_schema
from safetynet.verification.rules import RULES, Rule, RuleParams, Tables
from safetynet.verification.sources import SOURCES


class Engine:
    def __init__(self, con, name: str):
        self.con = con
        self.name = name
        self.tables: Tables | None = None
        self.available: set[str] = set()
        self._shared: list = []  # how to drop each table shared by the rules

    @classmethod
    def duckdb(cls, *, memory_limit: str = "1GB", temp_dir: Path, threads: int | None = None) -> Engine:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con = ibis.duckdb.connect()
        con.raw_sql(f"SET memory_limit='{memory_limit}'")
        con.raw_sql(f"SET temp_directory='{temp_dir}'")
        con.raw_sql("SET preserve_insertion_order=false")
        if threads:
            con.raw_sql(f"SET threads={int(threads)}")
        return cls(con, "duckdb")

    @classmethod
    def spark(cls, session=None) -> Engine:
        if session is None:
            from pyspark.sql import SparkSession

            session = (
                SparkSession.builder.master("local[2]")
                .appName("safetynet-compare")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate()
            )
        return cls(ibis.pyspark.connect(session), "spark")

    def _read(self, name: str, paths: list[Path]) -> list[ibis.Table]:
        return [self.con.read_parquet(str(p), table_name=f"{name}_{i}") for i, p in enumerate(paths)]

    def load(self, register: Path, sources: dict[str, list[Path]], *, empty_dir: Path) -> Tables:
        """Register the snapshot and each source: the files of its current period, oldest first,
        of which only the current records are seen (`verification.current`); an empty file when
        the source has none."""
        tables = {"register": self._read("register", [register])[0]}
        self.available = set()
        for code, source in SOURCES.items():
            paths = [Path(p) for p in sources.get(code, [])]
            if paths:
                self.available.add(code)
            else:
                empty = empty_dir / f"empty-{code}.parquet"
                schema = output_schema(source)
                if not empty.exists() or not pq.read_schema(empty).equals(
                    schema
                ):  # written by an older version
                    empty_dir.mkdir(parents=True, exist_ok=True)
                    pq.write_table(pa.Table.from_pylist([], schema=schema), empty)
                paths = [empty]
            tables[code] = current_table(self._read(code, paths), source)
        self._release()
        self.tables = Tables(tables, cache=self._materialise)
        return self.tables

    def _materialise(self, table: ibis.Table) -> ibis.Table:
        """Compute a table the rules share once: a DuckDB temporary table (spilling as any other),
        a cached Spark DataFrame."""
        if self.name == "spark":
            cached = table.cache()
            self._shared.append(cached.release)
            return cached
        # (Ibis's own cache cannot drop its DuckDB tables with the sqlglot we use: its DROP
        # statement comes out without the table's name.)
        name = f"shared_{uuid.uuid4().hex}"
        cached = self.con.create_table(name, table, temp=True)
        self._shared.append(lambda: self.con.raw_sql(f'DROP TABLE IF EXISTS "{name}"'))
        return cached

    def _release(self) -> None:
        """Drop the tables the last load derived from the register (`rules.SHARED`)."""
        while self._shared:
            self._shared.pop()()

    def runnable(self, rule: Rule) -> bool:
        """A rule runs when its primary source has data (register-only rules always run)."""
        return not rule.sources or rule.sources[0] in self.available

    def expression(self, rule: Rule, params: RuleParams) -> ibis.Table:
        return rule.build(self.tables, params)

    def run_rule(self, rule: Rule, params: RuleParams) -> pa.Table:
        return self.con.to_pyarrow(self.expression(rule, params))

    def run(
        self, params: RuleParams, rules: tuple[Rule, ...] = RULES
    ) -> Iterator[tuple[Rule, pa.Table | None]]:
        for rule in rules:
            yield rule, (self.run_rule(rule, params) if self.runnable(rule) else None)

    def close(self) -> None:
        try:
            self._release()
        except Exception:  # best effort, as closing
            pass
        try:
            self.con.disconnect()
        except Exception:  # closing is best effort; Spark sessions are owned by the caller
            pass
