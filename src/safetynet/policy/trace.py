"""How a decision explains itself: the full trace of one household and the compact trace of a register.

`Tracer` records, for a table of one household, each rule the household needed with its term,
clause, inputs and result (money in yuan, codes decoded to names). `CompactTrace` keeps, for a
register, one int8 reason code per rule and row. The output vocabularies (`MONITORING_TYPES`,
`MEMBER_CATEGORIES`) live here because both traces and both paths' results use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from safetynet.policy import rules as R
from safetynet.policy.household import DISABILITY_KINDS, RELATIONS

MONITORING_TYPES = (None, "unstable_alleviated", "edge_prone", "sudden_hardship")
MEMBER_CATEGORIES = (None, "tekun", "individual_dibao")
_FEN_VALUED = {"family_income", "rigid_expenditure"}  # rules whose value is an amount in fen


def yuan(fen_amount) -> Decimal:
    return Decimal(int(fen_amount)) / 100


def plain(value, *, money: bool = False):
    """A trace value as JSON-ready Python (Decimal kept; the JSON writer turns it into a number)."""
    if isinstance(value, np.ndarray):
        return [plain(v, money=money) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {k: plain(v, money=money) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, money=money) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if money and isinstance(value, int) and not isinstance(value, bool):
        return yuan(value)
    return value


_DECODE = {
    "relation": RELATIONS,
    "disability_kind": (None, *DISABILITY_KINDS),
    "risk_judgement": (False, True, None),  # column codes 0, 1 and -1 (the last entry)
}


class Tracer:
    """Collects `{"rule", "term", "clause", "inputs", "result"}` for a table of one household."""

    def __init__(self):
        self.entries: list[dict] = []

    def record(self, fn, inputs: Mapping, outcome: R.Outcome) -> None:
        member = fn.level == "member"

        def one(name, value):
            money = name.endswith("_fen")
            key = name[:-4] if money else name
            if isinstance(value, np.ndarray) and not member:
                value = value[0]
            value = plain(value, money=money)
            if name in _DECODE:
                names = _DECODE[name]
                value = [names[v] for v in value] if isinstance(value, list) else names[value]
            return key, value

        value = outcome.value if member else outcome.value[0]
        result = {"value": plain(value, money=fn.__name__ in _FEN_VALUED)}
        if fn is R.monitoring_mark:
            result["value"] = MONITORING_TYPES[result["value"]]
        reason = outcome.reason
        result["reason"] = reason.decode() if member else reason.names[int(reason.code[0])]
        result.update(one(k, v) for k, v in outcome.details.items())
        self.entries.append(
            {
                "rule": fn.__name__,
                "term": fn.term,
                "clause": fn.clause,
                "inputs": dict(one(k, v) for k, v in inputs.items()),
                "result": result,
            }
        )

    def note(self, rule: str, term: str, clause: str, inputs: dict, result: dict) -> None:
        self.entries.append(
            {"rule": rule, "term": term, "clause": clause, "inputs": inputs, "result": result}
        )


@dataclass
class CompactTrace:
    """The trace of a register, compactly: per rule, one reason code per household or member.

    `codes[rule]` is an int8 array (length H for a household rule, M for a member rule) indexing
    `names[rule]`, with -1 where the household did not need the rule — the rows a full trace
    would not show. A rule that no household needed is absent. The asset test against the 边缘
    limits is kept as `assets_within_edge_limits`.
    """

    codes: dict[str, np.ndarray] = field(default_factory=dict)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)

    def decode(self, rule: str) -> np.ndarray:
        """The reason names of `rule` row by row (object array, None where not applied)."""
        names = np.array([*self.names[rule], None], dtype=object)
        return names[self.codes[rule]]  # -1 picks the trailing None
