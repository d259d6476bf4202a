"""How a rule is written: what it returns, how it is registered with its clause, and its helpers.

A rule (in `rules.py`) is a numpy function over arrays of length H (household rules) or M (member
rules), registered by `@rule(level)`; the first line of its docstring, `<Chinese term> — <clause>`,
becomes its `term` and `clause` (a rule without them raises `RuleWithoutClause` when defined). It
returns an `Outcome`: its value, a reason code per row (`Reasons`: a small integer per row indexing
the rule's reason names, so a register's reasons cost one byte per row and no string is built
unless a trace asks for it), and any intermediate figures worth showing in the trace. `pick` and
`either` build the reasons; `first_match`, `ratio` and `ceil_div` are the integer arithmetic the
rules share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

RULES: dict[str, object] = {}


@dataclass(frozen=True)
class Reasons:
    """A reason per row: `code[i]` (int8) indexes `names`; `names[0]` is the rule's default."""

    code: np.ndarray
    names: tuple[str, ...]

    def decode(self) -> list[str]:
        return [self.names[c] for c in self.code.tolist()]


@dataclass
class Outcome:
    value: np.ndarray
    reason: Reasons
    details: dict[str, np.ndarray] = field(default_factory=dict)


class RuleWithoutClause(TypeError):
    """A rule defined without its statutory reference: raised when the rule is defined (at import)."""


def rule(level: str):
    """Register a rule; its term and clause come from the first docstring line (`<term> — <clause>`)."""

    def register(fn):
        lines = (fn.__doc__ or "").strip().splitlines()
        term, _, clause = (lines[0] if lines else "").partition(" — ")
        if not term.strip() or not clause.strip():
            raise RuleWithoutClause(
                f"规则 {fn.__name__} 没有写明依据条款：文档字符串首行应为“<术语> — <条款>”"
            )
        fn.term, fn.clause, fn.level = term.strip(), clause.strip(), level
        RULES[fn.__name__] = fn
        return fn

    return register


def ratio(value: Decimal) -> tuple[int, int]:
    """A ratio parameter as an exact fraction (numerator, denominator)."""
    num, den = value.as_integer_ratio()
    return num, den


def ceil_div(a, b):
    """Integer ceiling division, elementwise (a, b int64; b > 0)."""
    return -((-a) // b)


def first_match(conds, values, default=0, dtype=np.int8) -> np.ndarray:
    """`np.select(conds, values, default)` for scalar values: the value of the first condition met.

    Done by integer arithmetic over the conditions, which numpy vectorises; `np.select`'s masked
    copies are an order of magnitude slower on a register.
    """
    shape = np.broadcast_shapes(*(np.shape(c) for c in conds))
    out = np.full(shape, default, dtype=dtype)
    for cond, value in zip(reversed(conds), reversed(values), strict=True):
        hit = np.broadcast_to(np.asarray(cond, dtype=bool), shape).view(np.int8)
        out += hit * (dtype(value) - out)  # `value` where the condition holds, else unchanged
    return out


def pick(*pairs, default: str) -> Reasons:
    """First reason whose condition holds, row by row: `pick((cond, "code"), ..., default="x")`."""
    names = [default]
    conds, codes = [], []
    for cond, name in pairs:
        if name not in names:
            names.append(name)
        conds.append(cond)
        codes.append(names.index(name))
    return Reasons(first_match(conds, codes), tuple(names))


def either(cond, yes: str, no: str) -> Reasons:
    """`yes` where the condition holds, else `no`."""
    return Reasons(np.asarray(cond).astype(np.int8), (no, yes))
