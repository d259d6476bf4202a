"""The recipient rules' department rows joined once per run to the register's recipient members.

Each recipient rule (`verification.rules`) reads one source, narrowed to the rows it can use and
the few columns it aggregates. Rather than each rule joining its source to the 1.8 million
recipient members of a province (one hash table of the members per rule), the narrowed rows of all
these sources go through one statement: a UNION ALL joined once to the members, computed once per
run (`rules.SHARED`, materialised by the engine); each rule then reads its part of that small
result by `_source`. Plain Ibis, so DuckDB and Spark run the same expression. No Django here.
"""

from __future__ import annotations

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


def recipient_rows(t) -> ibis.Table:
    """Every recipient rule's source rows (`RECIPIENT_SOURCES`) joined once to the counted members of
    recipient households: `id_index`, `household_id`, `_source`, `as_of` and each source's columns
    (null on the other sources' rows). Sources without data contribute no rows."""
    tables = {code: getattr(t, code) for code in RECIPIENT_SOURCES}
    columns: dict[str, ibis.DataType] = {}
    for code, (_, cols) in RECIPIENT_SOURCES.items():
        for c in cols:
            columns.setdefault(f"{code}__{c}", tables[code][c].type())
    parts = []
    for code, (keep, _cols) in RECIPIENT_SOURCES.items():
        s = tables[code]
        if keep is not None:
            s = s.filter(keep(s))
        values = {
            name: (s[name.split("__", 1)[1]] if name.startswith(f"{code}__") else ibis.null().cast(typ))
            for name, typ in columns.items()
        }
        parts.append(s.select("id_index", "as_of", **{SOURCE: ibis.literal(code)}, **values))
    rows = ibis.union(*parts, distinct=False)
    m = t.recipient_members  # `rules.recipient_members`
    j = rows.join(m, rows.id_index == m.id_index)
    return j.select(rows, household_id=m.household_id)
