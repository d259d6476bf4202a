"""The bank files' formats (docs/payments.md), with no Django: the disbursement file written per
bank, CSV in GBK or XLSX, and the bank's result file read back, every problem named.

Disbursement: a header row `明细编号,户名,账号,金额,备注`, one row per payroll line, and a trailer
row `TRAILER,<count>,<total>`. Result: a header row `明细编号,金额,结果,失败原因`, one row per line
(`成功` or `失败` with a reason), and the same trailer over the rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

DISBURSEMENT_HEADER = ("明细编号", "户名", "账号", "金额", "备注")
RESULT_HEADER = ("明细编号", "金额", "结果", "失败原因")
TRAILER = "TRAILER"
RESULTS = {"成功": "paid", "失败": "failed"}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DisbursementRow:
    line_id: int
    name: str
    account: str
    amount: Decimal
    remark: str


class EncodingProblem(ValueError):
    """A name or remark that GBK cannot hold (the line ids are named)."""


def write_csv(rows: Iterable[DisbursementRow]) -> tuple[bytes, int, Decimal]:
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\r\n")
    w.writerow(DISBURSEMENT_HEADER)
    count, total = 0, Decimal("0.00")
    for r in rows:
        w.writerow((r.line_id, r.name, r.account, f"{r.amount:.2f}", r.remark))
        count, total = count + 1, total + r.amount
    w.writerow((TRAILER, count, f"{total:.2f}"))
    try:
        data = text.getvalue().encode("gbk")
    except UnicodeEncodeError as err:
        bad = text.getvalue()[: err.start].count("\r\n")  # the row (0 = header) holding the character
        raise EncodingProblem(
            f"第{bad + 1}行含有GBK无法表示的字符“{err.object[err.start : err.end]}”"
        ) from None
    return data, count, total


def write_xlsx(rows: Iterable[DisbursementRow]) -> tuple[bytes, int, Decimal]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("代发明细")
    ws.append(list(DISBURSEMENT_HEADER))
    count, total = 0, Decimal("0.00")
    for r in rows:
        # The account as text (a long number would lose digits as a spreadsheet number); the amount
        # as its exact decimal text.
        ws.append([r.line_id, r.name, r.account, f"{r.amount:.2f}", r.remark])
        count, total = count + 1, total + r.amount
    ws.append([TRAILER, count, f"{total:.2f}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), count, total


@dataclass
class ResultRow:
    line_id: int
    amount: Decimal
    status: str  # paid | failed
    reason: str


@dataclass
class ParsedResult:
    rows: list[ResultRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite() or value != value.quantize(CENT):
        return None
    return value


def _digits(text: str) -> bool:
    # ASCII only: str.isdigit() also accepts "²" or "①", which int() then refuses.
    return text.isascii() and text.isdigit()


def _records(text: str) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]


def _is_utf8_result(data: bytes) -> bool:
    """UTF-8 Chinese often decodes as (wrong) GBK without error: recognise it by its header."""
    try:
        records = _records(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return False
    return bool(records) and tuple(c.strip() for c in records[0]) == RESULT_HEADER


def parse_result(data: bytes) -> ParsedResult:
    """Read a result file; what cannot be read is listed in `problems` (all of them, not the first)."""
    out = ParsedResult()
    try:
        text = data.decode("gbk")
    except UnicodeDecodeError as err:
        if _is_utf8_result(data):
            out.problems.append("文件为UTF-8编码，应为GBK编码")
        else:
            out.problems.append(f"文件不是GBK编码（第{err.start + 1}字节无法解码）")
        return out
    records = _records(text)
    if not records or tuple(c.strip() for c in records[0]) != RESULT_HEADER:
        if _is_utf8_result(data):
            out.problems.append("文件为UTF-8编码，应为GBK编码")
        else:
            out.problems.append("首行应为表头：" + ",".join(RESULT_HEADER))
        return out
    body, trailer = records[1:], None
    if body and body[-1] and body[-1][0].strip() == TRAILER:
        trailer, body = body[-1], body[:-1]
    seen: set[int] = set()
    total = Decimal("0.00")
    for n, rec in enumerate(body, start=2):
        if len(rec) < 3:
            out.problems.append(f"第{n}行字段不全")
            continue
        raw_id, raw_amount, raw_status = rec[0].strip(), rec[1], rec[2].strip()
        reason = rec[3].strip() if len(rec) > 3 else ""
        if not _digits(raw_id):
            out.problems.append(f"第{n}行明细编号“{raw_id}”无效")
            continue
        line_id = int(raw_id)
        if line_id in seen:
            out.problems.append(f"第{n}行明细编号{line_id}重复")
            continue
        seen.add(line_id)
        amount = _amount(raw_amount)
        if amount is None:
            out.problems.append(f"第{n}行（明细{line_id}）金额“{raw_amount}”无效")
            continue
        if raw_status not in RESULTS:
            out.problems.append(f"第{n}行（明细{line_id}）结果应为“成功”或“失败”")
            continue
        if RESULTS[raw_status] == "failed" and not reason:
            out.problems.append(f"第{n}行（明细{line_id}）发放失败但未写明原因")
        total += amount
        out.rows.append(ResultRow(line_id, amount, RESULTS[raw_status], reason[:200]))
    if trailer is None:
        out.problems.append("缺少合计行（TRAILER,笔数,金额），文件可能不完整")
    else:
        count = trailer[1].strip() if len(trailer) > 1 else ""
        stated = _amount(trailer[2]) if len(trailer) > 2 else None
        if not _digits(count) or int(count) != len(body):
            out.problems.append(f"合计行笔数“{count}”与明细行数{len(body)}不符")
        if stated is None or stated != total:
            shown = trailer[2].strip() if len(trailer) > 2 else ""
            out.problems.append(f"合计行金额“{shown}”与明细金额合计{total:.2f}不符")
    return out
