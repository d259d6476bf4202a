"""A register: `assess_batch` decides every household of a `HouseholdTable` with the rules of `assess`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from safetynet.policy.household import CATEGORIES
from safetynet.policy.params import ParametersOnDate
from safetynet.policy.pipeline import RULE_SET_VERSION, evaluate
from safetynet.policy.table import HouseholdTable
from safetynet.policy.trace import MONITORING_TYPES, CompactTrace, yuan

BATCH_CHUNK = 1 << 16  # households per chunk of a batch run (see `assess_batch`)


@dataclass
class BatchAssessment:
    """Result columns for a whole register, one row per household (and per member)."""

    columns: dict[str, np.ndarray]
    unverified_parameters: list[str]
    parameters_digest: str
    parameters_version: str
    rule_set_version: str = RULE_SET_VERSION
    reasons: CompactTrace | None = None  # with `assess_batch(..., reasons=True)`

    def __len__(self) -> int:
        return len(self.columns["category"])

    def category_names(self) -> np.ndarray:
        return np.array(CATEGORIES, dtype=object)[self.columns["category"]]

    def monitoring_names(self) -> np.ndarray:
        return np.array(MONITORING_TYPES, dtype=object)[self.columns["monitoring"]]

    def household_row(self, i: int) -> dict:
        c = self.columns
        mtype = MONITORING_TYPES[int(c["monitoring"][i])]
        return {
            "valid": bool(c["valid"][i]),
            "category": CATEGORIES[int(c["category"][i])],
            "monitoring": {"marked": mtype is not None, "type": mtype},
            "family_size": int(c["family_size"][i]),
            "per_capita_monthly_income": yuan(c["per_capita_monthly_income_fen"][i]).quantize(
                Decimal("0.01")
            ),
            "benefit_monthly": Decimal(int(c["benefit_monthly"][i])),
            "refer_other_low_income": bool(c["refer_other_low_income"][i]),
            "gradual_exit_months": int(c["gradual_exit_months"][i]) or None,
        }


def assess_batch(
    table: HouseholdTable,
    params: ParametersOnDate,
    *,
    reasons: bool = False,
    chunk_households: int = BATCH_CHUNK,
    workers: int = 1,
) -> BatchAssessment:
    """Decide every household of a register with the same rules as `assess`.

    No full trace; with `reasons=True` a `CompactTrace` (one int8 reason code per rule and row)
    explains every decision at about one byte per rule and row. Households without a counted
    member come out with `valid` false and category none.

    The register is decided in chunks of `chunk_households` (households are independent, so the
    result is the same): the working arrays of a chunk stay in the CPU cache and their memory is
    reused, which is faster and keeps peak memory down. `workers` > 1 decides chunks in threads
    (numpy releases the GIL in its loops).
    """
    p = params.fresh()
    n_h = table.n_households
    chunk = max(chunk_households, 1)
    starts = list(range(0, n_h, chunk)) or [0]

    def decide(start: int):
        part = table.slice(start, min(start + chunk, n_h)) if len(starts) > 1 else table
        compact = CompactTrace() if reasons else None
        return evaluate(part, p, compact=compact), compact, part.n_households, part.n_members

    if workers > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(decide, starts))
    else:
        parts = [decide(start) for start in starts]
    if len(parts) == 1:
        columns, compact = parts[0][0], parts[0][1]
    else:
        columns = {name: np.concatenate([part[0][name] for part in parts]) for name in parts[0][0]}
        compact = _merge_compact([(part[1], part[2], part[3]) for part in parts]) if reasons else None
    return BatchAssessment(columns, p.unverified_names(), p.digest(), p.version, reasons=compact)


def _merge_compact(parts: list[tuple[CompactTrace, int, int]]) -> CompactTrace:
    """One `CompactTrace` from the chunks' (a rule a chunk did not need is -1 for its rows)."""
    merged = CompactTrace()
    for trace, _, _ in parts:
        for rule in trace.codes:
            merged.names.setdefault(rule, trace.names[rule])
            merged.levels.setdefault(rule, trace.levels[rule])
    for rule, level in merged.levels.items():
        merged.codes[rule] = np.concatenate(
            [
                trace.codes[rule]
                if rule in trace.codes
                else np.full(n_m if level == "member" else n_h, -1, dtype=np.int8)
                for trace, n_h, n_m in parts
            ]
        )
    return merged
