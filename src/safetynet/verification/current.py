"""Which department records are current: one record per identity, the one sent last.

A source's data for one period may arrive in several files: parts (a township at a time, one bank
at a time), a corrected file, the same rows re-sent (re-saved in another encoding, an XLSX copy of
a CSV, a valid-rows-only partial of a rejected file). A record's identity within a source and a
period is the blind index of the resident ID plus the source's other key columns (`Source.key`:
the 不动产单元号 for real estate, the plate for vehicles, institution + asset class for financial
assets, credit code + role for business, event + date for disasters; the person alone for the
one-row-per-person sources). Each file is checked to hold an identity at most once.

Across the files of one period, the record of an identity that was loaded last is current and the
earlier ones are replaced, never added: a record sent again replaces the earlier one, and a
correction file replaces the records it names and leaves the rest. The per-case report, the
register-wide comparison (on DuckDB and on Spark) and the naming of residents outside the register
read only current records, through the functions here. Files are kept as loaded (immutable,
named by their content hash); "current" is decided when reading, from the load order.

No Django here: callers pass the files of one source and period, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ibis

from safetynet.verification.sources import Source

PART = "_part"  # the position of a row's file in the load order (0 = loaded first)


def identity(source: Source) -> tuple[str, ...]:
    """The columns that identify one record of `source` within a period (stored form)."""
    return ("id_index", *(k for k in source.key if k != "id_number"))


def identity_text(source: Source) -> str:
    return " + ".join(source.column(k).label if k != "id_number" else "身份证号码" for k in source.key)


# ---- DuckDB SQL (the report, the naming of residents, the replacement count at upload) ------


def current_sql(source: Source, n_parts: int, *, where: str = "") -> str:
    """A query over the `n_parts` files of one source and period, given as `?` parameters oldest
    first, that yields only current records (with `_part`). `where` filters each file first (it
    may only test identity columns, so the choice of the current record is unchanged)."""
    if n_parts < 1:
        raise ValueError("no files")
    clause = f" WHERE {where}" if where else ""
    parts = " UNION ALL BY NAME ".join(
        f"SELECT *, {i} AS {PART} FROM read_parquet(?) s{clause}" for i in range(n_parts)
    )
    if n_parts == 1:  # one file holds each identity once
        return parts
    keys = ", ".join(identity(source))
    return (
        f"SELECT * EXCLUDE (_rank) FROM (SELECT *, row_number() OVER "
        f"(PARTITION BY {keys} ORDER BY {PART} DESC) AS _rank FROM ({parts})) WHERE _rank = 1"
    )


def replaced_by(con, source: Source, earlier: Sequence[Path], new: Path) -> dict[str, int]:
    """How many current records of the `earlier` files (oldest first) the `new` file replaces,
    per file content hash (`upload_sha`). `con` is a DuckDB connection."""
    if not earlier:
        return {}
    keys = ", ".join(identity(source))
    rows = con.execute(
        f"SELECT upload_sha, count(*) FROM ({current_sql(source, len(earlier))}) c "
        f"SEMI JOIN (SELECT {keys} FROM read_parquet(?)) n USING ({keys}) GROUP BY upload_sha",
        [*(str(p) for p in earlier), str(new)],
    ).fetchall()
    return {sha: int(n) for sha, n in rows}


# ---- Ibis (the comparison, on DuckDB and on Spark) -------------------------------------------


def current_table(parts: Sequence[ibis.Table], source: Source) -> ibis.Table:
    """The current records of one source and period from its files' tables, oldest first."""
    if len(parts) == 1:
        return parts[0]
    tagged = [t.mutate(**{PART: ibis.literal(i, type="int32")}) for i, t in enumerate(parts)]
    t = ibis.union(*tagged)
    w = ibis.window(group_by=[t[k] for k in identity(source)], order_by=ibis.desc(t[PART]))
    t = t.mutate(_rank=ibis.row_number().over(w))
    return t.filter(t._rank == 0).drop("_rank", PART)
