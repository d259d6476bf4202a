"""Reading one department file in chunks: its format and encoding detected, its header mapped to
the source's column codes, then chunks of cells as strings (pyarrow's streaming CSV reader,
openpyxl's read-only XLSX reader, Parquet row groups). Checking and normalising is `ingest`'s.

No Django here."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa_
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from safetynet.core.errors import ValidationFailed
from safetynet.verification.sources import Source

FORMATS = ("csv", "xlsx", "parquet")
ENCODINGS = ("auto", "utf-8", "gbk")
SAMPLE_BYTES = 1 << 20


class FileRejected(ValidationFailed):
    default_code = "file_rejected"


# ---- formats and encodings ------------------------------------------------------------------


def detect_format(path: Path, declared: str | None = None, filename: str = "") -> str:
    if declared:
        if declared not in FORMATS:
            raise FileRejected(f"文件格式“{declared}”不受支持，应为 CSV、XLSX 或 Parquet。", field="format")
        return declared
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PAR1":
        return "parquet"
    if head == b"PK\x03\x04":
        return "xlsx"
    ext = Path(filename).suffix.lower()
    if ext in (".xls",):
        raise FileRejected("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV。", field="file")
    return "csv"


def _decodes(sample: bytes, codec: str) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        return False


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """The Python codec to read a CSV with: utf-8 (a BOM is dropped) or gb18030 (GBK's superset)."""
    declared = (declared or "auto").lower().replace("_", "-")
    if declared in ("utf8", "utf-8-sig"):
        declared = "utf-8"
    if declared in ("gb2312", "gb18030", "cp936"):
        declared = "gbk"
    if declared not in ENCODINGS:
        raise FileRejected(f"文件编码“{declared}”不受支持，应为 UTF-8 或 GBK。", field="encoding")
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES)
    utf8, gbk = _decodes(sample, "utf-8"), _decodes(sample, "gb18030")
    if declared == "utf-8":
        if not utf8:
            hint = "文件似乎是 GBK 编码，请选择 GBK 或“自动识别”。" if gbk else "请确认文件编码。"
            raise FileRejected(f"文件不是有效的 UTF-8 编码。{hint}", code="wrong_encoding", field="encoding")
        return "utf-8"
    if declared == "gbk":
        if not gbk:
            raise FileRejected(
                "文件不是有效的 GBK 编码，请确认文件编码。", code="wrong_encoding", field="encoding"
            )
        if utf8 and not sample.isascii():
            raise FileRejected(
                "文件似乎是 UTF-8 编码而不是 GBK，请选择 UTF-8 或“自动识别”。",
                code="wrong_encoding",
                field="encoding",
            )
        return "gb18030"
    if utf8:
        return "utf-8"
    if gbk:
        return "gb18030"
    raise FileRejected("无法识别文件编码：既不是 UTF-8 也不是 GBK。", code="wrong_encoding", field="encoding")


# ---- the header ------------------------------------------------------------------------------


def map_header(source: Source, raw: list) -> list[str]:
    """Raw header cells → column codes; any missing, extra, empty or repeated column is an error."""
    by_name = {}
    for c in source.columns:
        by_name[c.name.lower()] = c.name
        by_name[c.label] = c.name
    names, problems, seen = [], [], set()
    for i, cell in enumerate(raw, start=1):
        text = "" if cell is None else str(cell).strip().lstrip("\ufeff").strip()
        if not text:
            problems.append(f"第{i}列没有列名")
            names.append("")
            continue
        name = by_name.get(text) or by_name.get(text.lower())
        if name is None:
            problems.append(f"多余的列“{text}”")
            names.append("")
            continue
        if name in seen:
            problems.append(f"列“{text}”重复")
        seen.add(name)
        names.append(name)
    missing = [f"{c.label}（{c.name}）" for c in source.columns if c.required and c.name not in seen]
    if missing:
        problems.insert(0, "缺少必填列：" + "、".join(missing))
    if problems:
        raise FileRejected(
            f"{source.label}文件的列不符合格式：" + "；".join(problems) + "。格式见 docs/data-exchange/。",
            code="bad_header",
            field="file",
        )
    return names


# ---- readers: (column codes, iterator of (first row number, DataFrame of str|None)) ----------


def csv_reader(path: Path, source: Source, codec: str, chunk_bytes: int, bad: dict[int, str]):
    with open(path, encoding=codec, newline="", errors="strict") as f:
        try:
            header = next(csv.reader(f), None)
        except UnicodeDecodeError:
            raise FileRejected(
                "文件首行无法按所选编码解码。", code="wrong_encoding", field="encoding"
            ) from None
    if not header:
        raise FileRejected("文件是空的：没有列名行。", code="empty_file", field="file")
    names = map_header(source, header)
    width = len(names)

    def on_invalid(row) -> str:
        bad[row.number if row.number and row.number > 0 else -len(bad) - 1] = (
            f"字段数应为{width}，实际为{row.actual_columns}"
        )
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding=codec, block_size=chunk_bytes, use_threads=False, skip_rows=1, column_names=names
        ),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa_.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )

    def batches():
        for batch in reader:
            yield batch.to_pandas()

    return names, batches()


def _xlsx_cell(value, column: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        if column == "id_number":
            return "#NUMBER"  # Excel keeps 15 significant digits: the ID's last digits are lost
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return str(value)
    return str(value)


def xlsx_reader(path: Path, source: Source, chunk_rows: int):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        fh = open(path, "rb")  # a file object: openpyxl would judge a path by its extension
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as e:
        raise FileRejected(f"无法读取 XLSX 文件：{e}", code="unreadable", field="file") from None
    except Exception:  # zipfile.BadZipFile and friends
        raise FileRejected(
            "无法读取 XLSX 文件：文件已损坏或不是 XLSX。", code="unreadable", field="file"
        ) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if not header or all(c is None for c in header):
        raise FileRejected("工作表是空的：没有列名行。", code="empty_file", field="file")
    while header and header[-1] is None:
        header = header[:-1]
    names = map_header(source, list(header))
    width = len(names)

    def batches():
        chunk = []
        for cells in rows:
            cells = tuple(cells[:width]) + (None,) * max(0, width - len(cells))
            chunk.append([_xlsx_cell(v, n) for v, n in zip(cells, names)])
            if len(chunk) >= chunk_rows:
                yield pd.DataFrame(chunk, columns=names, dtype=object)
                chunk = []
        if chunk:
            yield pd.DataFrame(chunk, columns=names, dtype=object)
        wb.close()
        fh.close()

    return names, batches()


def _as_strings(batch: pa_.RecordBatch) -> pa_.Table:
    cols = []
    for col in batch.columns:
        t = col.type
        if pa_.types.is_timestamp(t):
            col = col.cast(pa_.date32())
        if pa_.types.is_boolean(t):
            col = pa_.compute.if_else(col, "是", "否")
        cols.append(col.cast(pa_.string()))
    return pa_.Table.from_arrays(cols, names=batch.schema.names)


def parquet_reader(path: Path, source: Source, chunk_rows: int):
    try:
        pf = pq.ParquetFile(path)
    except (pa_.ArrowInvalid, OSError) as e:
        raise FileRejected(f"无法读取 Parquet 文件：{e}", code="unreadable", field="file") from None
    names = map_header(source, pf.schema_arrow.names)

    def batches():
        for batch in pf.iter_batches(batch_size=chunk_rows):
            table = _as_strings(batch)
            yield table.rename_columns(names).to_pandas()

    return names, batches()
