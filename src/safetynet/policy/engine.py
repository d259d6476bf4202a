"""The decision: which category, which monitoring mark, how much — for one household or a register.

The engine is four modules, re-exported here so `from safetynet.policy.engine import …` keeps
working:

- `pipeline.py` — `evaluate(table, params)`, the single pipeline that runs the rules of
  `rules.py` over a `HouseholdTable`, and `RULE_SET_VERSION`;
- `trace.py` — `Tracer` (the full trace of one household), `CompactTrace` (a reason code per rule
  and row of a register), `MONITORING_TYPES`, `MEMBER_CATEGORIES`;
- `single.py` — one household: `assess` / `Assessment`, `assess_json`, `load_parameters`,
  `jsonable`, `dumps`;
- `batch.py` — a register: `assess_batch` / `BatchAssessment`, `BATCH_CHUNK`.
"""

from safetynet.policy.batch import BATCH_CHUNK, BatchAssessment, assess_batch
from safetynet.policy.pipeline import RULE_SET_VERSION, evaluate
from safetynet.policy.single import (
    Assessment,
    MemberResult,
    assess,
    assess_json,
    dumps,
    jsonable,
    load_parameters,
)
from safetynet.policy.trace import MEMBER_CATEGORIES, MONITORING_TYPES, CompactTrace, Tracer, yuan

__all__ = [
    "BATCH_CHUNK",
    "MEMBER_CATEGORIES",
    "MONITORING_TYPES",
    "RULE_SET_VERSION",
    "Assessment",
    "BatchAssessment",
    "CompactTrace",
    "MemberResult",
    "Tracer",
    "assess",
    "assess_batch",
    "assess_json",
    "dumps",
    "evaluate",
    "jsonable",
    "load_parameters",
    "yuan",
]
