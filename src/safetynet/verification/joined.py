"""The recipient rules' department rows joined once per run to the register's recipient members.

Each recipient rule (`verification.rules`) reads one source, narrowed to the rows it can use and
the few columns it aggregates. Rather than each rule joining its source to the 1.8 million
recipient members of a province (one hash table of the members per rule), the narrowed rows of all
these sources go through one statement: a UNION ALL joined once to the members, computed once per
run (`rules.SHARED`, materialised by the engine); each rule then reads its part of that small
result by `_source` (`of_source`). Plain Ibis, so DuckDB and Spark run the same expression. No
Django here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ibis

# The rows of each recipient rule's source that the rule can use, narrowed without parameters to
# the columns it aggregates: (filter, columns). All of them are joined to the recipient members in
# one statement (`recipient_rows`), each rule then reading its own part of that small result.
RECIPIENT_SOURCES: dict[str, tuple[Callable[[ibis.Table], ibis.Value] | None, tuple[str, ...]]] = {
    "hukou": (lambda s: s.status == "deceased", ("death_date",)),
    "financial": (None, ("balance",)),
    "vehicle": (lambda s: s.kind.isin(["car", "truck", "boat"]), ("value",)),
    "business": (
        lambda s: (s.entity_kind == "company") & s.role.isin(["legal_rep", "shareholder"]),
        ("credit_code", "entity_name", "role", "share_pct"),
    ),
    "real_estate": (lambda s: s.use == "residential", ("unit_no", "registered_on")),
    "social_insurance": (None, ("wage_12m", "pension_12m")),
}
SOURCE = "_source"  # which source a row of `recipient_rows` comes from


def slots(t) -> dict[str, dict[str, tuple[str, ibis.DataType]]]:
    """Where each source's columns travel in `recipient_rows`: {code: {column: (slot, type)}}.

    A row comes from one source, so the sources share a few typed columns (`_decimal_16_2_0`,
    `_string_1`, …) rather than each source having its own, null on every other source's rows:
    six columns instead of eleven to carry through the join and to keep: the join 1.55 → 1.38 s at
    province scale (bench/README.md, `compare.py`)."""
    out: dict[str, dict[str, tuple[str, ibis.DataType]]] = {}
    for code, (_keep, cols) in RECIPIENT_SOURCES.items():
        seen: dict[ibis.DataType, int] = {}
        out[code] = {}
        for c in cols:
            typ = getattr(t, code)[c].type().copy(nullable=True)  # null on the other sources' rows
            n = seen[typ] = seen.get(typ, -1) + 1
            out[code][c] = (f"_{re.sub(r'[^a-z0-9]+', '_', str(typ).lower()).strip('_')}_{n}", typ)
    return out


def recipient_rows(t) -> ibis.Table:
    """Every recipient rule's source rows (`RECIPIENT_SOURCES`) joined once to the counted members of
    recipient households: `id_index`, `household_id`, `_source`, `as_of` and each source's columns
    in their slots (`slots`; null where the row's source has no column there). Sources without
    data contribute no rows."""
    placed = slots(t)
    columns = {slot: typ for cols in placed.values() for slot, typ in cols.values()}
    parts = []
    for code, (keep, _cols) in RECIPIENT_SOURCES.items():
        s = getattr(t, code)
        if keep is not None:
            s = s.filter(keep(s))
        mine = {slot: s[c].cast(typ) for c, (slot, typ) in placed[code].items()}
        values = {slot: mine.get(slot, ibis.null().cast(typ)) for slot, typ in columns.items()}
        parts.append(s.select("id_index", "as_of", **{SOURCE: ibis.literal(code)}, **values))
    rows = ibis.union(*parts, distinct=False)
    m = t.recipient_members  # `rules.recipient_members`
    j = rows.join(m, rows.id_index == m.id_index)
    return j.select(rows, household_id=m.household_id)


def of_source(t, code: str) -> ibis.Table:
    """The rows of `recipient_rows` from source `code`: `id_index`, `household_id`, `as_of` and the
    source's columns of `RECIPIENT_SOURCES` under their own names."""
    r = t.recipient_rows
    r = r.filter(r[SOURCE] == code)
    cols = {c: r[slot] for c, (slot, _typ) in slots(t)[code].items()}
    return r.select("id_index", "household_id", "as_of", **cols)
