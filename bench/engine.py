"""Benchmark of the policy engine's batch path over a synthetic county-sized register.

    uv run python bench/engine.py --households 1000000

Generates a seeded synthetic register (vectorised numpy, distributions after
`safetynet.demo.generate`), caches it as Parquet under `bench/.cache/`, then times, end to end,
loading the Parquet columns into a `HouseholdTable` and deciding every household with
`assess_batch(..., reasons=True)` (compact traces: one reason code per rule per household or
member). It also times the scalar path: the median of in-process `assess` calls on one household
with its full trace. Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from safetynet.policy import HouseholdTable, assess, assess_batch, load_parameters, parse_household
from safetynet.policy.engine import BATCH_CHUNK
from safetynet.policy.household import DISABILITY_KINDS
from safetynet.policy.table import CAT, HOUSEHOLD_COLUMNS, KIND, MEMBER_COLUMNS, REL, RISK_BIT

ON = date(2025, 6, 1)
REGION = "141029"
CACHE = Path(__file__).resolve().parent / ".cache"
GENERATOR_VERSION = 2  # bump when the generator changes, so stale caches are not reused


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the synthetic register


def _yuan_to_fen(x: np.ndarray) -> np.ndarray:
    """Float yuan (a draw from a distribution) to non-negative integer fen."""
    return np.maximum(np.rint(x * 100), 0).astype(np.int64)


def generate(n_households: int, seed: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A register of `n_households` with about three members each, as household and member columns.

    The shapes follow the demo generator: a head aged about 58, a spouse in most families,
    children, parents and grandchildren; disability and illness more frequent with age; small
    wages and farm income; financial assets log-normal; 86% rural, 38% of them alleviated. Risk
    events follow illness, students and small rates of disaster, accident and unemployment (about
    a fifth of households); a risk judgement is recorded for about one household in ten.
    """
    rng = np.random.default_rng(seed)
    h = n_households
    sizes = rng.choice(np.arange(1, 7), h, p=[0.15, 0.27, 0.22, 0.18, 0.12, 0.06])
    m = int(sizes.sum())
    hh_of = np.repeat(np.arange(h, dtype=np.int64), sizes)
    starts = np.zeros(h, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    pos = np.arange(m, dtype=np.int64) - starts[hh_of]  # position inside the household

    # relations and ages
    head_age = np.clip(rng.normal(58, 14, h), 22, 95).astype(np.int64)
    has_spouse = (sizes >= 2) & (head_age < 90) & (rng.random(h) < 0.8)
    roll = rng.random(m)
    hage = head_age[hh_of]
    relation = np.where(
        (roll < 0.7) & (hage >= 24),
        REL["child"],
        np.where((roll < 0.85) & (hage <= 65), REL["parent"], REL["grandchild"]),
    )
    relation = np.where(pos == 1, np.where(has_spouse[hh_of], REL["spouse"], relation), relation)
    relation = np.where(pos == 0, REL["head"], relation).astype(np.int8)
    age = np.select(
        [
            relation == REL["head"],
            relation == REL["spouse"],
            relation == REL["child"],
            relation == REL["parent"],
        ],
        [
            hage,
            hage + rng.integers(-6, 4, m),
            hage - rng.integers(22, 36, m),
            hage + rng.integers(22, 32, m),
        ],
        default=rng.integers(0, 14, m),
    )
    age = np.clip(age, 0, 99)
    month = rng.integers(1, 13, m)
    day = rng.integers(1, 29, m)
    had_birthday = month * 100 + day <= ON.month * 100 + ON.day
    birth = (ON.year - age - np.where(had_birthday, 0, 1)) * 10000 + month * 100 + day

    # health
    disabled = rng.random(m) < 0.06 + 0.12 * (age >= 60)
    kind = np.where(
        disabled,
        rng.choice(
            np.array([KIND[k] for k in DISABILITY_KINDS]), m, p=[0.45, 0.13, 0.12, 0.03, 0.1, 0.12, 0.05]
        ),
        0,
    ).astype(np.int8)
    grade = np.where(disabled, rng.choice([1, 2, 3, 4], m, p=[0.12, 0.23, 0.3, 0.35]), 0).astype(np.int8)
    severe = (grade >= 1) & (grade <= 2)
    illness = rng.random(m) < 0.03 + 0.06 * (age >= 55)
    education = (age >= 6) & (age <= 22) & (rng.random(m) < np.where(age <= 18, 0.97, 0.45))
    frail = (age >= 75) | severe | illness
    self_care = np.where(frail & (rng.random(m) < 0.5), rng.integers(1, 7, m), 0).astype(np.int8)
    no_capacity = (age < 16) | (age >= 70) | severe | (self_care >= 4)
    partial = ~no_capacity & ((age >= 60) | (grade > 0) | illness)
    full = ~no_capacity & ~partial

    # income over 12 months (yuan draws, then fen)
    r = rng.random((4, m))
    works = full & ~education
    wage = np.where(works & (r[0] < 0.55), rng.normal(16000, 7000, m), 0.0)
    business = np.where(
        works & (r[1] < 0.6),
        rng.normal(5000, 3000, m),
        np.where(partial & (r[2] < 0.5), rng.normal(2500, 1500, m), 0.0),
    )
    old = age >= 60
    transfer = np.where(old, rng.normal(2400, 600, m), 0.0)
    excluded = np.where(old, 1788.0, 0.0) + np.where(severe, 1200.0, 0.0)
    prop = np.where(r[3] < 0.03, rng.lognormal(6.0, 1.0, m), 0.0)

    # who is counted: adult children living elsewhere, a few members in prison / service / missing
    roll = rng.random(m)
    away_child = (relation == REL["child"]) & (age >= 18) & (age <= 45) & (roll < 0.12)
    not_counted = ~away_child & (pos > 0) & (rng.random(m) < 0.006)

    members = {
        "household": hh_of,
        "birth": birth.astype(np.int64),
        "relation": relation,
        "co_resident": ~away_child,
        "not_counted": not_counted,
        "in_fulltime_education": education,
        "major_illness": illness,
        "disability_kind": kind,
        "disability_grade": grade,
        "self_care_failed": self_care,
        "wage_fen": _yuan_to_fen(wage),
        "business_fen": _yuan_to_fen(business),
        "property_fen": _yuan_to_fen(prop),
        "transfer_fen": _yuan_to_fen(transfer),
        "excluded_fen": _yuan_to_fen(excluded),
    }

    # the household
    ill_h = np.logical_or.reduceat(illness, starts)
    students = np.add.reduceat(education.astype(np.int64), starts)
    disabled_h = np.logical_or.reduceat(disabled, starts)
    rural = rng.random(h) < 0.86
    outside = np.where(head_age >= 55, rng.poisson(1.4, h), 0)
    able = rng.binomial(outside, 0.6)
    events = np.zeros(h, dtype=np.int64)
    events |= np.where(ill_h & (rng.random(h) < 0.7), RISK_BIT["illness"], 0)
    for event, p in (("disaster", 0.03), ("accident", 0.02), ("unemployment", 0.03)):
        events |= np.where(rng.random(h) < p, RISK_BIT[event], 0)
    events |= np.where((students > 0) & (rng.random(h) < 0.2), RISK_BIT["education"], 0)
    # The risk judgement recorded at investigation (POLICY.md §8): only households an officer has
    # visited have one (about one in ten); with a declared event most are judged at risk, without
    # one a few are (a risk the declaration missed). -1 none recorded, 0 not at risk, 1 at risk.
    # Drawn from a stream of their own, so the rest of the register is that of generator v1.
    judging = np.random.default_rng([seed, 1])
    visited = judging.random(h) < 0.10
    judged_at_risk = judging.random(h) < np.where(events != 0, 0.6, 0.1)
    judgement = np.where(visited, judged_at_risk.astype(np.int8), -1).astype(np.int8)
    vehicle = rng.random(h) < 0.12
    override = rng.random(h) < 0.01
    households = {
        "urban": ~rural,
        "alleviated": rural & (rng.random(h) < 0.38),
        "financial_fen": np.where(rng.random(h) < 0.8, _yuan_to_fen(rng.lognormal(8.3, 1.2, h)), 0),
        "nonexempt_vehicles": (vehicle & (rng.random(h) >= 0.5)).astype(np.int64),
        "homes": rng.choice([0, 1, 2], h, p=[0.04, 0.9, 0.06]).astype(np.int64),
        "home_bought_within_year": rng.random(h) < 0.01,
        "company_roles": (rng.random(h) < 0.01).astype(np.int64),
        "rigid_medical_fen": _yuan_to_fen(
            np.where(ill_h, rng.lognormal(9.3, 0.8, h), rng.lognormal(6.5, 1.0, h))
        ),
        "rigid_education_fen": _yuan_to_fen(students * rng.normal(2500, 800, h)),
        "rigid_rehabilitation_fen": np.where(
            disabled_h & (rng.random(h) < 0.4), _yuan_to_fen(rng.lognormal(7.5, 0.8, h)), 0
        ),
        "rigid_living_fen": _yuan_to_fen(sizes * rng.normal(4500, 1500, h)),
        "relief_received_fen": np.where(rng.random(h) < 0.05, _yuan_to_fen(rng.lognormal(7.0, 1.0, h)), 0),
        "able_supporters": able.astype(np.int64),
        "risk_events": events,
        "risk_judgement": judgement,
        "has_override": override,
        "override_monthly_fen": np.where(override, _yuan_to_fen(rng.normal(1500, 600, h)), 0),
        "current_category": rng.choice(
            [CAT["none"], CAT["dibao"], CAT["tekun"], CAT["dibao_edge"]], h, p=[0.86, 0.09, 0.02, 0.03]
        ).astype(np.int8),
    }
    assert set(households) == set(HOUSEHOLD_COLUMNS) and set(members) == set(MEMBER_COLUMNS)
    return households, members


def cache_paths(n_households: int, seed: int, directory: Path = CACHE) -> tuple[Path, Path]:
    stem = f"register-v{GENERATOR_VERSION}-{n_households}-{seed}"
    return directory / f"{stem}-households.parquet", directory / f"{stem}-members.parquet"


def write_parquet(columns: dict[str, np.ndarray], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.table(columns), tmp, compression="lz4", row_group_size=1 << 20)
    tmp.replace(path)


_NUMPY_TYPES = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
}


def arrow_to_numpy(column: pa.ChunkedArray) -> np.ndarray:
    """An Arrow column without nulls as a numpy array, from its buffers.

    pyarrow's own `to_numpy` / `np.asarray` import pandas on first use (over a second here); the
    integer buffers are wrapped without a copy and booleans are unpacked from their bitmap.
    """
    array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if array.null_count:
        raise ValueError(f"column with nulls: {column.type}")
    data, n, offset = array.buffers()[1], len(array), array.offset
    if array.type == pa.bool_():
        bits = np.frombuffer(data, dtype=np.uint8)
        return np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].view(np.bool_)
    return np.frombuffer(data, dtype=_NUMPY_TYPES[array.type], count=n, offset=offset * array.type.byte_width)


def read_parquet(path: Path) -> dict[str, np.ndarray]:
    """Parquet → numpy columns.

    `ParquetFile.read` gives one chunk per column (where `pq.read_table` gives one per 128k-row
    batch), so integer columns become numpy arrays without a copy.
    """
    table = pq.ParquetFile(path, memory_map=True).read(use_threads=True)
    return {name: arrow_to_numpy(table.column(name)) for name in table.column_names}


# ---------------------------------------------------------------- the scalar household


def sample_household() -> dict:
    """A rural three-member household with a disabled elder: 边缘, with an individual 特困 member."""

    def member(mid, relation, birth, income, **kw):
        return {
            "id": mid,
            "birth_date": birth,
            "relation": relation,
            "co_resident": True,
            "not_counted_reason": None,
            "in_fulltime_education": False,
            "disability": None,
            "major_illness": False,
            "self_care_failed": 0,
            "income_12m": {"wage": income, "business": 0, "property": 0, "transfer": 0, "excluded": 0},
        } | kw

    return {
        "region": REGION,
        "hukou": "rural",
        "alleviated": True,
        "members": [
            member("m1", "head", "1972-03-01", 20000),
            member("m2", "spouse", "1974-05-01", 6000, major_illness=True),
            member(
                "m3",
                "parent",
                "1944-09-09",
                0,
                disability={"kind": "physical", "grade": 1},
                self_care_failed=4,
            ),
        ],
        "assets": {
            "financial": 5000,
            "vehicles": [],
            "homes": 1,
            "home_bought_within_year": False,
            "company_roles": 0,
        },
        "rigid_expenditure_12m": {"medical": 9000, "education": 0, "rehabilitation": 0, "living": 9000},
        "supporters": [],
        "risk_events": ["illness"],
    }


def time_single(params, repeats: int) -> tuple[float, dict]:
    household = parse_household(sample_household(), on=ON)
    result = assess(household, params)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        assess(household, params)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, {"category": result.category, "trace_entries": len(result.trace)}


# ---------------------------------------------------------------- main


def build(n_households: int, seed: int, hh_path: Path, mm_path: Path) -> None:
    t0 = time.perf_counter()
    households, members = generate(n_households, seed)
    log(
        f"generated {n_households:,} households, {len(members['household']):,} members in {time.perf_counter() - t0:.2f} s"
    )
    write_parquet(households, hh_path)
    write_parquet(members, mm_path)
    log(f"wrote {hh_path.name}, {mm_path.name}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="generate afresh into a temporary directory; leave the cache alone",
    )
    parser.add_argument("--single-repeats", type=int, default=200)
    parser.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="threads (default: the cores available)",
    )
    parser.add_argument(
        "--chunk", type=int, default=BATCH_CHUNK, help="households per chunk of the batch run"
    )
    args = parser.parse_args(argv)

    params = load_parameters(REGION).on(ON)
    with tempfile.TemporaryDirectory(prefix="safetynet-bench-") as tmp:
        hh_path, mm_path = cache_paths(args.households, args.seed, Path(tmp) if args.no_cache else CACHE)
        if hh_path.exists() and mm_path.exists():
            log(f"using cached {hh_path.name}, {mm_path.name}")
        else:
            # In a child process, so that this process's peak memory is that of the run alone.
            child = multiprocessing.get_context("fork").Process(
                target=build, args=(args.households, args.seed, hh_path, mm_path)
            )
            child.start()
            child.join()
            if child.exitcode:
                log("generating the register failed")
                return 1

        t0 = time.perf_counter()
        table = HouseholdTable.from_columns(read_parquet(hh_path), read_parquet(mm_path))
        t_load = time.perf_counter() - t0
        log(f"loaded {table.n_households:,} households, {table.n_members:,} members in {t_load:.2f} s")
        t1 = time.perf_counter()
        batch = assess_batch(table, params, reasons=True, chunk_households=args.chunk, workers=args.workers)
        t_assess = time.perf_counter() - t1
        seconds = time.perf_counter() - t0
    log(f"assessed in {t_assess:.2f} s ({seconds:.2f} s end to end, {args.workers} worker(s))")

    counts = np.bincount(batch.columns["category"], minlength=5)
    categories = dict(zip(("none", "tekun", "dibao", "dibao_edge", "rigid_hardship"), counts.tolist()))
    single_ms, single = time_single(params, args.single_repeats)
    log(f"single assess median {single_ms:.2f} ms ({single})")

    result = {
        "households": table.n_households,
        "members": table.n_members,
        "seconds": round(seconds, 3),
        "load_seconds": round(t_load, 3),
        "assess_seconds": round(t_assess, 3),
        "households_per_second": round(table.n_households / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "single_assess_median_ms": round(single_ms, 3),
        "workers": args.workers,
        "chunk_households": args.chunk,
        "categories": categories,
        "monitoring_marked": int(np.count_nonzero(batch.columns["monitoring"])),
        "monitoring_marked_share": round(
            np.count_nonzero(batch.columns["monitoring"]) / table.n_households, 4
        ),
        "monitoring_types": dict(
            zip(
                ("unstable_alleviated", "edge_prone", "sudden_hardship"),
                np.bincount(batch.columns["monitoring"], minlength=4)[1:].tolist(),
                strict=True,
            )
        ),
        "compact_trace_rules": len(batch.reasons.codes),
        "compact_trace_mb": round(sum(c.nbytes for c in batch.reasons.codes.values()) / 2**20, 1),
        "rule_set_version": batch.rule_set_version,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
