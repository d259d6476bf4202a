"""The blind index as the exchange files store it: a 16-byte binary key.

The database keeps the blind index of a resident ID as the HMAC-SHA256 of the ID under the index key,
written as 64 hex characters (`core.keys`, `Person.id_index`, `Lead.subject_id_index`). The
department files and the register snapshot the comparison reads store the first 16 bytes of that same
HMAC (`id_index`, and `head_id_index` in the snapshot) as Parquet FIXED_LEN_BYTE_ARRAY(16): DuckDB
reads it as BLOB, Spark as binary. 128 bits keep collisions negligible: among 1.4 billion residents
the chance that any two share a key is about n²/2¹²⁹ ≈ 3 × 10⁻²¹. A quarter of the bytes of the hex text
makes the joins and groupings of the comparison several times faster (docs/scale.md).

`index_key(hex)` turns a database index into the file key; `wanted(con, indexes)` registers the
keys of database indexes as the DuckDB table `wanted(id_index)` for lookups and returns the way back
from key to index; `rekey_file(path)` rewrites a file written before (64-hex `id_index`) in place
(migration `verification.0004`; `unkey_file` is its way back).
No Django here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

KEY_BYTES = 16
KEY_TYPE = pa.binary(KEY_BYTES)
KEY_COLUMNS = ("id_index", "head_id_index")  # the columns of exchange files that hold a key


def index_key(index: str) -> bytes:
    """The file key of a blind index as the database stores it (64 hex characters)."""
    if len(index) != 2 * 32:
        raise ValueError("a blind index has 64 hex characters")
    return bytes.fromhex(index[: 2 * KEY_BYTES])


def keys_array(indexes: Iterable[str]) -> pa.Array:
    return pa.array([index_key(i) for i in indexes], KEY_TYPE)


def wanted(con, indexes: Iterable[str]) -> dict[bytes, str]:
    """Register the keys of `indexes` (database form) as the table `wanted(id_index)` on the DuckDB
    connection `con`; return {key: index} to name the rows found by their database index."""
    back = {index_key(i): i for i in indexes}
    con.register("wanted", pa.table({"id_index": pa.array(list(back), KEY_TYPE)}))
    return back


def _rekeyed(table: pa.Table) -> pa.Table:
    for name in KEY_COLUMNS:
        if name not in table.column_names or table.schema.field(name).type == KEY_TYPE:
            continue
        column = table.column(name)
        if pc.any(pc.not_equal(pc.utf8_length(column), 64)).as_py():
            raise ValueError(f"{name}: not a 64-hex blind index")
        keys = pa.array([None if v is None else bytes.fromhex(v[:32]) for v in column.to_pylist()], KEY_TYPE)
        i = table.column_names.index(name)
        table = table.set_column(i, pa.field(name, KEY_TYPE, table.schema.field(name).nullable), keys)
    return table


def needs_rekey(path: Path) -> bool:
    schema = pq.read_schema(path)
    return any(n in schema.names and schema.field(n).type != KEY_TYPE for n in KEY_COLUMNS)


def _rewrite(path: Path, transform: Callable[[pa.Table], pa.Table]) -> None:
    """Rewrite a Parquet file one row group at a time through a private temporary file renamed
    over it, so a crash leaves the old file whole."""
    source = pq.ParquetFile(path)
    tmp = path.with_name(f".{path.name}.rekey")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    writer = None
    try:
        for i in range(source.num_row_groups):
            table = transform(source.read_row_group(i))
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:  # no row groups: an empty file keeps its columns
            writer = pq.ParquetWriter(
                tmp, transform(source.schema_arrow.empty_table()).schema, compression="zstd"
            )
        writer.close()
        writer = None
        os.replace(tmp, path)
    finally:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)


def rekey_file(path: Path) -> bool:
    """Rewrite a file whose key columns hold 64-hex text (written before the keys were binary) so
    that they hold 16-byte keys. Returns whether it was rewritten; a rekeyed file is left alone."""
    path = Path(path)
    if not needs_rekey(path):
        return False
    _rewrite(path, _rekeyed)
    return True


def unkey_file(path: Path, index_of: Callable[[bytes], str]) -> bool:
    """The way back for a department file: `id_index` as 64-hex text again, computed by
    `index_of(subject)` from each row's sealed subject (the key alone cannot give the full index)."""
    path = Path(path)
    if pq.read_schema(path).field("id_index").type != KEY_TYPE:
        return False

    def back(table: pa.Table) -> pa.Table:
        text = pa.array([index_of(bytes(s)) for s in table.column("subject").to_pylist()], pa.string())
        i = table.column_names.index("id_index")
        return table.set_column(i, pa.field("id_index", pa.string(), False), text)

    _rewrite(path, back)
    return True
