"""Benchmark of the register-wide comparison at province scale.

    uv run python bench/compare.py [--members 3000000] [--rows 50000000] [--memory 1500MB]
                                   [--threads N] [--engine duckdb|spark]

Generates (once; cached under bench/.cache/, git-ignored; in a child process, so that generating
does not count in `peak_rss_mb`) with DuckDB, streamed to Parquet a batch at a time: a register
snapshot of 3 million members (REGISTER_SCHEMA, ~1.2 million households, 60% recipients, one member
in 10,000 also counted in a second household) and 50 million department rows across the six
verification sources (户籍 18M, 社会保险 10M, 金融资产 10M, 不动产 5M, 车船 5M, 市场主体 2M) over a
population of 18 million residents, keyed and written as the product writes them: a 16-byte binary
key (`verification.keys`, Parquet FIXED_LEN_BYTE_ARRAY(16); here the first 16 bytes of a SHA-256).
Then `--repeat` rounds (default 3), each timing in turn:

- `seconds`: the full comparison — every rule of `verification.rules` whose source has data,
  compiled by Ibis and run on embedded DuckDB on every core under `SET memory_limit` (spilling
  beyond it), from a fresh load, results fetched; the register's shared tables are built inside
  this time;
- `raw_join_full_seconds`: the issue's reference — one hand-written DuckDB statement over
  integer-keyed copies of the same row counts (each row keyed by its resident's position, a 64-bit
  integer) that joins every row to the whole register ("a register of the same size") and
  aggregates per household and source, with the same threads and memory limit;
  `full_ratio` = seconds / raw_join_full_seconds;
- `raw_join_seconds`: the same statement joining only the recipient members, a stricter
  reference; `ratio` = seconds / raw_join_seconds;
- `cpu_seconds`, `raw_join_cpu_seconds`, `raw_join_full_cpu_seconds` and their ratios: the same in
  CPU seconds of this process (all DuckDB threads; not Spark's JVM), which other work on a shared
  machine disturbs less than wall time.

Each figure printed is the median of the rounds; `runs` holds every round's.
`--engine spark` runs the same rules on a local Spark session instead (`local[*]`; its JVM is not in
`peak_rss_mb`). Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from safetynet.core.areas import configured_county  # noqa: E402
from safetynet.policy import load_parameters  # noqa: E402
from safetynet.verification.engine import Engine  # noqa: E402
from safetynet.verification.keys import KEY_COLUMNS, KEY_TYPE  # noqa: E402
from safetynet.verification.rules import RuleParams  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
VERSION = 3  # 3: keys as FIXED_LEN_BYTE_ARRAY(16), as the product writes them
SHARES = {"hukou": 18, "social_insurance": 10, "financial": 10, "real_estate": 5, "vehicle": 5, "business": 2}
ON = dt.date(2026, 5, 15)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _idx(expr: str) -> str:
    """The 16-byte key of a resident (as `verification.keys`: the first 16 bytes of a SHA-256)."""
    return f"unhex(substr(sha256(({expr})::VARCHAR), 1, 32))"


def _write(con, select: str, path: Path, *, row_group_size: int = 1_000_000) -> None:
    """Write the rows of `select` to `path` as the product writes its exchange files and snapshot
    (pyarrow, zstd): each key column (`verification.keys.KEY_COLUMNS`) as FIXED_LEN_BYTE_ARRAY(16).
    DuckDB's own COPY would write a 16-byte BLOB as a variable-length BYTE_ARRAY, which DuckDB reads
    about a third slower. Written aside and renamed, so an interrupted run leaves no partial file."""
    reader = con.execute(select).to_arrow_reader(row_group_size)
    schema = pa.schema(
        [pa.field(f.name, KEY_TYPE, f.nullable) if f.name in KEY_COLUMNS else f for f in reader.schema]
    )
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
    partial.rename(path)


def data_paths(out: Path) -> dict[str, Path]:
    """The files of one data set: the register, each source, and their integer-keyed copies."""
    names = ["register", *SHARES]
    return {
        **{n: out / f"{n}.parquet" for n in names},
        **{f"raw-{n}": out / f"raw-{n}.parquet" for n in names},
    }


def generate(out: Path, members: int, rows: int, memory: str) -> None:
    """Write the files of `data_paths(out)` (`prepare` calls it when one is missing)."""
    paths = data_paths(out)
    out.mkdir(parents=True, exist_ok=True)
    population = max(members * 6, rows * 18 // 50)
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{memory}'")
    con.execute(f"SET temp_directory='{out / 'tmp'}'")
    con.execute("SET preserve_insertion_order=false")
    total = sum(SHARES.values())
    counts = {k: rows * v // total for k, v in SHARES.items()}
    counts["hukou"] += rows - sum(counts.values())
    # Register members are residents spread over the population by a multiplicative permutation.
    perm = f"((i * 7919) % {population})"
    # About one member in 10,000 is the resident of the member five rows on (another household), so
    # the register holds people counted in two households, as `duplicate_membership` looks for.
    twice = f"((CASE WHEN i % 10007 = 1 THEN i + 5 ELSE i END * 7919) % {population})"
    log(f"generating register ({members:,} members)…")
    _write(
        con,
        f"""SELECT i AS person_id, {_idx(twice)} AS id_index, i // 5 * 2 + (i % 5 >= 3)::INT AS household_id,
                 '141029' || lpad(((i // 5) % 900)::VARCHAR, 6, '0') AS village_code,
                 {_idx(f"((i - i % 5 + CASE WHEN i % 5 >= 3 THEN 3 ELSE 0 END) * 7919) % {population}")} AS head_id_index,
                 true AS counted, (hash(i // 5) % 10) < 6 AS recipient,
                 CASE WHEN (hash(i // 5) % 10) < 6 THEN 'dibao' ELSE '' END AS category,
                 (CASE WHEN i % 5 >= 3 THEN 2 ELSE 3 END)::INT AS family_size,
                 (i % 100000) <> 7 AS id_valid, CASE WHEN (i % 100000) = 7 THEN '校验位错误' ELSE '' END AS id_problem,
                 CAST(hash(i // 5 * 2 + (i % 5 >= 3)::INT) % 20000 AS DECIMAL(16,2)) AS declared_financial, 0::INT AS declared_vehicles,
                 CAST(0 AS DECIMAL(16,2)) AS declared_vehicle_value, 1::INT AS declared_homes, 0::INT AS declared_company_roles,
                 CAST(600 * 24 * (CASE WHEN i % 5 >= 3 THEN 2 ELSE 3 END) AS DECIMAL(16,2)) AS financial_limit,
                 CAST(600 AS DECIMAL(16,2)) AS income_line
          FROM range({members}) t(i)""",
        paths["register"],
        row_group_size=122_880,  # DuckDB's own default
    )
    # The resident each row is about: a position in the population (a 64-bit integer).
    resident = {
        "hukou": "i",
        "social_insurance": f"(i * 3) % {population}",
        "financial": f"(i // 2 * 5) % {population}",
        "real_estate": f"(i * 11 // 10) % {population}",
        "vehicle": f"(i * 13) % {population}",
        "business": f"(i * 17) % {population}",
    }
    common = "NULL::BLOB AS subject, i::BIGINT AS _row, 'bench' AS upload_sha"
    asof = "DATE '2026-05-01' AS as_of"
    selects = {
        "hukou": f"""{_idx(resident["hukou"])} AS id_index, {common},
            CASE WHEN hash(i) % 200 = 0 THEN 'deceased' ELSE 'normal' END AS status,
            CASE WHEN hash(i) % 200 = 0 THEN DATE '2026-01-01' + (i % 100)::INT END AS death_date,
            '141029' || lpad((i % 900)::VARCHAR, 6, '0') AS village_code, {asof}""",
        "social_insurance": f"""{_idx(resident["social_insurance"])} AS id_index, {common},
            CAST(hash(i) % 60000 AS DECIMAL(16,2)) AS wage_12m, CAST(hash(i * 7) % 2000 AS DECIMAL(16,2)) AS pension_12m,
            NULL::DECIMAL(16,2) AS contribution_12m, {asof}""",
        "financial": f"""{_idx(resident["financial"])} AS id_index, {common},
            CASE WHEN i % 2 = 0 THEN '农商行' ELSE '邮储银行' END AS institution, 'deposit' AS kind,
            CAST(hash(i) % 40000 AS DECIMAL(16,2)) AS balance, {asof}""",
        "real_estate": f"""{_idx(resident["real_estate"])} AS id_index, {common},
            'U' || i::VARCHAR AS unit_no, CASE WHEN i % 4 = 0 THEN 'commercial' ELSE 'residential' END AS use,
            CAST(90 AS DECIMAL(16,2)) AS area_m2, DATE '2010-01-01' + (i % 5000)::INT AS registered_on, {asof}""",
        "vehicle": f"""{_idx(resident["vehicle"])} AS id_index, {common},
            '晋L' || i::VARCHAR AS plate, CASE WHEN i % 3 = 0 THEN 'motorcycle' ELSE 'car' END AS kind,
            CAST(hash(i) % 150000 AS DECIMAL(16,2)) AS value, NULL::DATE AS registered_on, {asof}""",
        "business": f"""{_idx(resident["business"])} AS id_index, {common},
            'C' || i::VARCHAR AS credit_code, '某公司' || i::VARCHAR AS entity_name,
            CASE WHEN i % 3 = 0 THEN 'company' ELSE 'individual' END AS entity_kind,
            CASE WHEN i % 3 = 0 THEN 'legal_rep' ELSE 'owner' END AS role,
            NULL::DECIMAL(16,2) AS share_pct, NULL::DECIMAL(16,2) AS registered_capital, {asof}""",
    }
    for code, select in selects.items():
        log(f"generating {code} ({counts[code]:,} rows)…")
        _write(con, f"SELECT {select} FROM range({counts[code]}) t(i)", paths[code])
    # The reference: the same rows and register keyed by the resident's position (BIGINT).
    log("generating the integer-keyed copies for the raw join…")
    con.execute(
        f"""COPY (SELECT {perm}::BIGINT AS k, i // 5 * 2 + (i % 5 >= 3)::INT AS household_id,
                         (hash(i // 5) % 10) < 6 AS recipient
                  FROM range({members}) t(i)) TO '{paths["raw-register"]}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    for code, expr in resident.items():
        con.execute(
            f"COPY (SELECT ({expr})::BIGINT AS k, CAST(hash(i) % 40000 AS DECIMAL(16,2)) AS amount "
            f"FROM range({counts[code]}) t(i)) TO '{paths[f'raw-{code}']}' "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)"
        )
    con.close()


def prepare(out: Path, members: int, rows: int, memory: str) -> dict[str, Path]:
    """The data files, generated if missing in a child process, so that generating does not count
    in this process's `peak_rss_mb`."""
    paths = data_paths(out)
    if not all(p.exists() for p in paths.values()):
        child = multiprocessing.get_context("fork").Process(
            target=generate, args=(out, members, rows, memory)
        )
        child.start()
        child.join()
        if child.exitcode:
            sys.exit(f"bench/compare.py: generating the data failed (exit code {child.exitcode})")
    return paths


# The raw join: every department row joined, in one statement, to the register's recipient members
# on a 64-bit integer key and aggregated per household and source (the least work any comparison of
# these rows must do, on the fastest key there is).
RAW_JOIN = """
SELECT r.household_id, s.source, count(*) AS n, sum(s.amount) AS total
FROM ({rows}) s JOIN (SELECT k, household_id FROM read_parquet('{register}'){where}) r USING (k)
GROUP BY ALL
"""
# `raw_join_seconds` joins the recipient members (the rows every recipient rule needs);
# `raw_join_full_seconds` the whole register, as the issue words it ("a register of the same size").


def cpu() -> float:
    """CPU seconds of this process so far, every thread (DuckDB's included): less sensitive than
    wall time to other work on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def raw_join(
    paths: dict[str, Path], *, memory: str, spill: Path, threads: int | None, full: bool = False
) -> tuple[float, float, int]:
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{memory}'")
    con.execute(f"SET temp_directory='{spill}'")
    con.execute("SET preserve_insertion_order=false")
    if threads:
        con.execute(f"SET threads={threads}")
    rows = " UNION ALL ".join(
        f"SELECT k, amount, '{code}' AS source FROM read_parquet('{paths[f'raw-{code}']}')" for code in SHARES
    )
    t, c = time.monotonic(), cpu()
    groups = (
        con.sql(
            RAW_JOIN.format(
                rows=rows, register=paths["raw-register"], where="" if full else " WHERE recipient"
            )
        )
        .to_arrow_table()
        .num_rows
    )
    seconds, cpu_seconds = time.monotonic() - t, cpu() - c
    con.close()
    return seconds, cpu_seconds, groups


def _spark_session(threads: int | None):
    """A local Spark session on every core (or `threads`); its JVM is a child process, so
    `peak_rss_mb` (this process) does not count it."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{threads or '*'}]")
        .appName("bench-compare")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.shuffle.partitions", str(4 * (threads or os.cpu_count() or 1)))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def compare_once(eng: Engine, paths: dict[str, Path], out: Path, params: RuleParams):
    """Every rule once, from a fresh load (nothing shared with an earlier round): seconds, CPU
    seconds and the hits per rule."""
    eng.load(paths["register"], {k: [paths[k]] for k in SHARES}, empty_dir=out / "empty")
    t, c = time.monotonic(), cpu()
    hits = {}
    for rule, table in eng.run(params):
        if table is not None:
            hits[rule.code] = table.num_rows
            log(f"  {rule.code}: {table.num_rows:,} hits ({time.monotonic() - t:.1f}s, cpu {cpu() - c:.1f}s)")
    return time.monotonic() - t, cpu() - c, hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=3_000_000)
    ap.add_argument("--rows", type=int, default=50_000_000)
    ap.add_argument("--memory", default="1500MB", help="DuckDB memory_limit")
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: every core)")
    ap.add_argument(
        "--engine", choices=("duckdb", "spark"), default="duckdb", help="spark: local[*], the `spark` extra"
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of the comparison and both references, in turn; the medians are printed",
    )
    args = ap.parse_args()
    out = CACHE / f"compare-v{VERSION}-{args.members}-{args.rows}"
    t0 = time.monotonic()
    paths = prepare(out, args.members, args.rows, args.memory)
    log(f"data ready in {time.monotonic() - t0:.1f}s: {out}")
    spill = out / "spill"

    params = RuleParams.of(load_parameters(configured_county()).on(ON))  # the shipped parameter store

    if args.engine == "spark":
        eng = Engine.spark(_spark_session(args.threads))
    else:
        eng = Engine.duckdb(memory_limit=args.memory, temp_dir=spill, threads=args.threads)
    runs = []
    for n in range(1, args.repeat + 1):
        log(f"round {n} of {args.repeat}: the comparison (every rule, Ibis on {args.engine})…")
        seconds, cpu_seconds, hits = compare_once(eng, paths, out, params)
        log("  raw join (one hand-written DuckDB pass on integer keys)…")
        raw_seconds, raw_cpu, raw_groups = raw_join(
            paths, memory=args.memory, spill=spill, threads=args.threads
        )
        log("  raw join over the whole register…")
        full_seconds, full_cpu, _ = raw_join(
            paths, memory=args.memory, spill=spill, threads=args.threads, full=True
        )
        runs.append((seconds, cpu_seconds, raw_seconds, raw_cpu, full_seconds, full_cpu))
    eng.close()
    if args.engine == "spark":
        eng.con._session.stop()
    seconds, cpu_seconds, raw_seconds, raw_cpu, full_seconds, full_cpu = (
        statistics.median(column) for column in zip(*runs, strict=True)
    )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "rows": args.rows,
        "registry": args.members,
        "seconds": round(seconds, 2),
        "raw_join_seconds": round(raw_seconds, 2),
        "ratio": round(seconds / raw_seconds, 3),
        "cpu_seconds": round(cpu_seconds, 2),
        "raw_join_cpu_seconds": round(raw_cpu, 2),
        "cpu_ratio": round(cpu_seconds / raw_cpu, 3),
        "raw_join_full_seconds": round(full_seconds, 2),
        "full_ratio": round(seconds / full_seconds, 3),
        "raw_join_full_cpu_seconds": round(full_cpu, 2),
        "full_cpu_ratio": round(cpu_seconds / full_cpu, 3),
        "peak_rss_mb": round(peak, 1),
        "memory_limit": args.memory,
        "threads": args.threads or os.cpu_count(),
        "engine": f"ibis-{args.engine}",
        "hits": hits,
        "raw_join_groups": raw_groups,
        "repeat": args.repeat,
        "runs": [[round(v, 2) for v in run] for run in runs],
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
