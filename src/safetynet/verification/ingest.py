"""Reading, checking and normalising one department file, in bounded memory.

A file is read in chunks (pyarrow's streaming CSV reader, openpyxl's read-only XLSX reader, Parquet
row groups), each chunk checked against its source's schema with pandera (lazy: every failing cell
is reported, not only the first), and the valid rows written, normalised, to a staged Parquet file:
the resident ID replaced by its blind index (`id_index`, the 16-byte key of `keys`) plus a sealed copy (`subject`: the ID and
name under AES-GCM with a per-upload data key, so that a lead about a resident who is not in the
register can still name them), enumerations by their codes, amounts as DECIMAL(16,2), dates as
DATE (the reading itself is `readers`). Duplicate keys are found afterwards with DuckDB over the staged file, which spills to disk,
so no step holds more than one chunk of the file in memory.

File-level problems (size, encoding, header, nothing readable) raise `FileRejected`; cell-level
problems are collected as `RowError(row, column, reason)`. Row numbers are those a spreadsheet
shows: the header is row 1, the first data row is row 2.

No Django here: the blind index and the clock are passed in.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safetynet.core.resident_id import InvalidResidentId, parse_resident_id
from safetynet.verification.keys import KEY_TYPE, keys_array
from safetynet.verification.readers import (
    FileRejected,
    csv_reader,
    detect_encoding,
    detect_format,
    parquet_reader,
    xlsx_reader,
)
from safetynet.verification.sources import FALSE_WORDS, TRUE_WORDS, Column, Source

MAX_KEPT_ERRORS = 1000  # in the database; the error report file keeps them all


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class IngestResult:
    format: str
    encoding: str | None
    rows_total: int = 0
    rows_valid: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: int = 0
    as_of_min: dt.date | None = None
    as_of_max: dt.date | None = None


class Sealer:
    """AES-GCM under one upload's data key: `nonce ‖ ciphertext`."""

    def __init__(self, key: bytes):
        self._aead = AESGCM(key)

    @staticmethod
    def new_key() -> bytes:
        return AESGCM.generate_key(bit_length=256)

    def seal(self, plaintext: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), None)

    def open(self, token: bytes) -> str:
        return self._aead.decrypt(token[:12], token[12:], None).decode()


# ---- the schema (pandera) ------------------------------------------------------------------

_DECIMAL = r"-?\d{1,14}(\.\d{1,2})?"
_INT = r"-?\d{1,9}"


def _id_ok(value: str) -> bool:
    try:
        parse_resident_id(value)
        return True
    except InvalidResidentId:
        return False


def _date_of(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _checks(c: Column, today: dt.date) -> list[pa.Check]:
    if c.kind == "id":
        return [pa.Check(_id_ok, element_wise=True, error="id")]
    if c.kind == "text":
        return [pa.Check.str_length(max_value=c.max_length, error=f"长度超过{c.max_length}个字符")]
    if c.kind == "village":
        return [pa.Check.str_matches(r"^\d{12}$", error="应为12位村（社区）代码")]
    if c.kind == "enum":
        allowed = [*c.choices, *c.choices.values()]
        shown = "、".join(f"{k}（{v}）" for k, v in c.choices.items())
        return [pa.Check.isin(allowed, error=f"取值应为{shown}之一")]
    if c.kind == "bool":
        return [pa.Check(lambda s: s.str.lower().isin(TRUE_WORDS | FALSE_WORDS), error="应为“是”或“否”")]
    if c.kind == "date":
        checks = [pa.Check(lambda v: _date_of(v) is not None, element_wise=True, error="应为日期 YYYY-MM-DD")]
        checks.append(
            pa.Check(
                lambda v: (d := _date_of(v)) is None or d <= today,
                element_wise=True,
                error=f"日期晚于今天（{today.isoformat()}）",
            )
        )
        return checks
    pattern = _DECIMAL if c.kind == "decimal" else _INT
    what = "数值（最多两位小数）" if c.kind == "decimal" else "整数"
    checks = [pa.Check.str_matches(f"^{pattern}$", error=f"应为{what}")]

    def _within(s: pd.Series) -> pd.Series:
        n = pd.to_numeric(s.where(s.str.fullmatch(pattern)), errors="coerce")
        ok = pd.Series(True, index=s.index)
        if c.min is not None:
            ok &= ~(n < c.min)
        if c.max is not None:
            ok &= ~(n > c.max)
        return ok

    lo = "" if c.min is None else f"不小于{c.min:g}"
    hi = "" if c.max is None else f"不大于{c.max:g}"
    checks.append(pa.Check(_within, error=f"应{lo}{'且' if lo and hi else ''}{hi}"))
    return checks


def schema_for(source: Source, today: dt.date) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c.name: pa.Column(None, checks=_checks(c, today), nullable=not c.required) for c in source.columns},
        strict=False,
        coerce=False,
    )


def _normalise_cells(df: pd.DataFrame, source: Source) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for c in source.columns:
        if c.name not in df:
            out[c.name] = pd.Series(None, index=df.index, dtype=object)
            continue
        s = df[c.name].astype(object).map(_clean)
        if c.kind == "id":
            s = s.map(lambda v: v.replace(" ", "").replace("-", "").upper() if isinstance(v, str) else v)
        elif c.kind == "date":
            s = s.map(_normalise_date)
        elif c.kind == "decimal":
            s = s.map(lambda v: v.replace(",", "").replace("，", "") if isinstance(v, str) else v)
        out[c.name] = pd.Series(s.tolist(), index=df.index, dtype=object)
    return out


def _clean(v):
    """A cell as a stripped string, or None when empty."""
    if not isinstance(v, str):
        return None if v is None or pd.isna(v) else str(v)
    v = v.strip()
    return v or None


_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SLASH_DATE = re.compile(r"^(\d{4})[/.年-](\d{1,2})[/.月-](\d{1,2})日?$")


def _normalise_date(v):
    if not isinstance(v, str):
        return v
    v = v.split(" ")[0].split("T")[0]
    m = _COMPACT_DATE.match(v) or _SLASH_DATE.match(v)
    if m:
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return v


def _id_reason(value) -> str:
    if value == "#NUMBER":
        return "单元格为数值格式，身份证号码须设为文本格式（数值会丢失末几位）"
    try:
        parse_resident_id(value)
    except InvalidResidentId as e:
        return e.message.rstrip("。")
    return "身份证号码无效"


def check_chunk(df: pd.DataFrame, source: Source, schema: pa.DataFrameSchema) -> list[RowError]:
    """Every failing cell of one chunk (index = file row numbers)."""
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as e:
        fc = e.failure_cases
    errors = []
    labels = {c.name: c.label for c in source.columns}
    for row, column, check, value in zip(fc["index"], fc["column"], fc["check"], fc["failure_case"]):
        if row is None or (isinstance(row, float) and pd.isna(row)):
            continue
        if check == "not_nullable":
            reason = "必填项为空"
        elif check == "id":
            reason = _id_reason(value)
        else:
            reason = str(check)
            if column != "id_number" and value is not None and not pd.isna(value):
                reason = f"{reason}（现为“{str(value)[:40]}”）"
        errors.append(RowError(int(row), f"{labels.get(column, column)}（{column}）", reason))
    return errors


# ---- normalised output -------------------------------------------------------------------


def output_schema(source: Source) -> pa_.Schema:
    fields = [
        pa_.field("id_index", KEY_TYPE, nullable=False),
        pa_.field("subject", pa_.binary()),
        pa_.field("_row", pa_.int64(), nullable=False),
        pa_.field("upload_sha", pa_.string(), nullable=False),
    ]
    types = {
        "text": pa_.string(),
        "village": pa_.string(),
        "enum": pa_.string(),
        "decimal": pa_.decimal128(16, 2),
        "int": pa_.int32(),
        "date": pa_.date32(),
        "bool": pa_.bool_(),
    }
    for c in source.columns:
        if c.kind == "id" or not c.stored:
            continue
        fields.append(pa_.field(c.name, types[c.kind]))
    return pa_.schema(fields)


def _values(series: pd.Series) -> list:
    """Cells as Python values, with pandas' missing-value markers as None."""
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in series.tolist()]


def _to_arrow(df: pd.DataFrame, source: Source, schema: pa_.Schema, index, sealer: Sealer, sha: str):
    ids = _values(df["id_number"])
    names = _values(df["name"]) if "name" in df else [None] * len(ids)
    arrays = {
        "id_index": keys_array(index(i) for i in ids),
        "subject": pa_.array([sealer.seal(f"{i}\t{n or ''}") for i, n in zip(ids, names)], pa_.binary()),
        "_row": pa_.array(df.index.to_numpy(), pa_.int64()),
        "upload_sha": pa_.array([sha] * len(ids), pa_.string()),
    }
    for c in source.columns:
        if c.kind == "id" or not c.stored:
            continue
        values = _values(df[c.name])
        if c.kind == "enum":
            back = {v: k for k, v in c.choices.items()}
            values = [back.get(v, v) if v is not None else None for v in values]
        elif c.kind == "bool":
            values = [None if v is None else v.lower() in TRUE_WORDS for v in values]
        elif c.kind == "int":
            values = [None if v is None else int(v) for v in values]
        elif c.kind == "date":
            values = [None if v is None else dt.date.fromisoformat(v) for v in values]
        arr = pa_.array(values, pa_.string() if c.kind == "decimal" else None)
        arrays[c.name] = arr.cast(schema.field(c.name).type)
    return pa_.Table.from_pydict(arrays, schema=schema)


def duckdb_connect(*, memory_limit: str, temp_dir: Path, threads: int | None = None):
    temp_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute(f"SET temp_directory='{temp_dir}'")
    con.execute("SET preserve_insertion_order=false")
    if threads:
        con.execute(f"SET threads={int(threads)}")
    return con


def ingest(
    path: Path,
    source: Source,
    *,
    staged: Path,
    errors_csv: Path,
    sha: str,
    sealer: Sealer,
    index: Callable[[str], str],
    fmt: str | None = None,
    filename: str = "",
    encoding: str = "auto",
    valid_only: bool = False,
    today: dt.date | None = None,
    chunk_rows: int = 50_000,
    memory_limit: str = "1GB",
    temp_dir: Path | None = None,
) -> IngestResult:
    """Check every row; write the normalised valid rows to `staged` (kept only if the file is
    acceptable: no errors, or `valid_only` and at least one valid row) and every error to
    `errors_csv`. Returns the counts; the caller decides and records."""
    today = today or dt.date.today()
    fmt = detect_format(path, fmt, filename)
    codec = detect_encoding(path, encoding) if fmt == "csv" else None
    bad_lines: dict[int, str] = {}
    try:
        if fmt == "csv":
            names, batches = csv_reader(path, source, codec, max(1 << 16, chunk_rows * 120), bad_lines)
        elif fmt == "xlsx":
            names, batches = xlsx_reader(path, source, chunk_rows)
        else:
            names, batches = parquet_reader(path, source, chunk_rows)
    except pa_.ArrowInvalid as e:
        raise FileRejected(f"无法解析文件：{e}", code="unreadable", field="file") from None
    result = IngestResult(format=fmt, encoding={"utf-8": "utf-8", "gb18030": "gbk"}.get(codec))
    schema = schema_for(source, today)
    out_schema = output_schema(source)
    staged.parent.mkdir(parents=True, exist_ok=True)
    errors_csv.parent.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(staged, out_schema, compression="zstd")
    err_file = open(errors_csv, "w", encoding="utf-8", newline="")
    err_writer = csv.writer(err_file)
    err_writer.writerow(["row", "column", "reason"])
    bad_row_set_count = 0

    def report(errs: list[RowError]):
        result.error_count += len(errs)
        for e in errs:
            err_writer.writerow([e.row, e.column or "", e.reason])
            if len(result.errors) < MAX_KEPT_ERRORS:
                result.errors.append(e)

    next_row = 2
    try:
        for raw in _guard(batches):
            n = len(raw)
            # Row numbers: consecutive from the header on, stepping over rows the parser skipped.
            numbers = []
            while len(numbers) < n:
                if next_row not in bad_lines:
                    numbers.append(next_row)
                next_row += 1
            raw.index = pd.Index(numbers, dtype="int64")
            result.rows_total += n
            df = _normalise_cells(raw, source)
            errs = check_chunk(df, source, schema)
            report(errs)
            bad = {e.row for e in errs}
            bad_row_set_count += len(bad)
            good = df[~df.index.isin(bad)] if bad else df
            if len(good):
                writer.write_table(_to_arrow(good, source, out_schema, index, sealer, sha))
                result.rows_valid += len(good)
                as_of = [dt.date.fromisoformat(v) for v in good["as_of"]]
                lo, hi = min(as_of), max(as_of)
                result.as_of_min = lo if result.as_of_min is None else min(result.as_of_min, lo)
                result.as_of_max = hi if result.as_of_max is None else max(result.as_of_max, hi)
        writer.close()
        if bad_lines:
            report([RowError(r if r > 0 else None, None, reason) for r, reason in sorted(bad_lines.items())])
            result.rows_total += len(bad_lines)
            bad_row_set_count += len(bad_lines)
        if result.rows_total == 0:
            raise FileRejected("文件没有数据行。", code="empty_file", field="file")
        dups = _duplicates(staged, source, memory_limit=memory_limit, temp_dir=temp_dir or staged.parent)
        if dups:
            report(
                [
                    RowError(r, "身份证号码（id_number）", f"与第{first}行重复（{_key_text(source)}相同）")
                    for r, first in dups
                ]
            )
            bad_row_set_count += len(dups)
            result.rows_valid -= len(dups)
            if valid_only:
                _drop_rows(
                    staged,
                    [r for r, _ in dups],
                    memory_limit=memory_limit,
                    temp_dir=temp_dir or staged.parent,
                )
        result.bad_rows = bad_row_set_count
    except BaseException:
        writer.close()
        staged.unlink(missing_ok=True)
        raise
    finally:
        err_file.close()
    return result


def _guard(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Turn decoding and parsing failures in the middle of a file into a clear rejection."""
    try:
        yield from batches
    except UnicodeDecodeError:
        raise FileRejected(
            "文件中有按所选编码无法解码的字节：请确认文件编码（UTF-8 或 GBK）。",
            code="wrong_encoding",
            field="encoding",
        ) from None
    except pa_.ArrowInvalid as e:
        text = str(e)
        if "UTF8" in text or "UTF-8" in text:
            raise FileRejected(
                "文件中有不是 UTF-8 的字节：请确认文件编码（UTF-8 或 GBK）。",
                code="wrong_encoding",
                field="encoding",
            ) from None
        raise FileRejected(f"无法解析文件：{text}", code="unreadable", field="file") from None


def _key_text(source: Source) -> str:
    return "、".join(source.column(k).label for k in source.key)


def _duplicates(staged: Path, source: Source, *, memory_limit: str, temp_dir: Path) -> list[tuple[int, int]]:
    keys = ", ".join(["id_index", *(k for k in source.key if k != "id_number")])
    con = duckdb_connect(memory_limit=memory_limit, temp_dir=temp_dir / "duckdb-tmp")
    try:
        rows = con.execute(
            f"""SELECT _row, first FROM (
                  SELECT _row, min(_row) OVER (PARTITION BY {keys}) AS first FROM read_parquet(?)
                ) WHERE _row <> first ORDER BY _row""",
            [str(staged)],
        ).fetchall()
    finally:
        con.close()
    return [(int(r), int(f)) for r, f in rows]


def _drop_rows(staged: Path, rows: list[int], *, memory_limit: str, temp_dir: Path) -> None:
    tmp = staged.with_suffix(".dedup.parquet")
    con = duckdb_connect(memory_limit=memory_limit, temp_dir=temp_dir / "duckdb-tmp")
    try:
        con.execute("CREATE TEMP TABLE drop_rows AS SELECT unnest(?::BIGINT[]) AS _row", [rows])
        con.execute(
            f"COPY (SELECT s.* FROM read_parquet('{staged}') s ANTI JOIN drop_rows d USING (_row)) "
            f"TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)"
        )
    finally:
        con.close()
    os.replace(tmp, staged)
