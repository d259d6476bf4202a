"""Inserting many rows of a model with one `executemany`, for batch jobs that write hundreds of
thousands of rows (the review campaign's transitions, results and audit records).

`Model.objects.bulk_create` prepares every value of every row through its field (about 15 µs a
value), which dominated the campaign's time. Here a column's values go through the field only
where the database needs a conversion (dates and times, once per distinct value; JSON); integers,
text, booleans and `Decimal` amounts are passed as they are (psycopg adapts a Decimal to numeric,
Django's SQLite backend registers it as text; both keep every digit, and the column's scale rounds
as a save would). A field that offers `bulk_prep_value` (the encrypted columns) converts through that one
function; a subclass of a Django field that overrides no preparation method passes as it is. No signals, no primary keys returned: callers that need
the ids use `bulk_create`, or read them back by a unique column.

On PostgreSQL the rows go through `COPY … FROM STDIN`, several times faster than `executemany`:
rows whose values are all text, integers, booleans, `Decimal`, dates, times or JSON are written
as COPY text lines formatted here, in blocks (`_copy_line`: COPY's escapes for backslash, tab,
newline and carriage return, `\\N` for NULL, JSON through the same `json.dumps` as Django's
adaptation); a row holding any other type goes through psycopg's `Copy.write_row`. On SQLite
through `executemany`. Both inside the caller's transaction, so a failing row refuses the whole batch.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import partial

from django.db import connection, models

_RAW = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.DecimalField,
)


def _converter(field):
    if isinstance(field, models.JSONField):
        return lambda v: connection.ops.adapt_json_value(v, field.encoder)
    if isinstance(field, (models.DateField, models.DateTimeField)):
        memo: dict = {}

        def convert(v):
            if v not in memo:
                memo[v] = field.get_db_prep_save(v, connection)
            return memo[v]

        return convert
    if hasattr(field, "bulk_prep_value"):  # the field's own conversion, without Django's calls around it
        return field.bulk_prep_value()
    if isinstance(field, _RAW) and _plain(type(field)):
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def _plain(cls) -> bool:
    """A field class whose values reach the database as they are: Django's own, or a subclass that
    overrides none of the preparation methods (cases.StateField)."""
    if cls.__module__.startswith("django."):
        return True
    own = vars(cls)
    if any(m in own for m in ("get_prep_value", "get_db_prep_value", "get_db_prep_save", "pre_save")):
        return False
    return all(_plain(b) for b in cls.__bases__ if issubclass(b, models.Field))


def insert_rows(model, columns: list[str], rows, *, batch_size: int = 5000) -> int:
    """INSERT `rows` (tuples in the order of `columns`, attribute names such as "case_id")."""
    fields = [next(f for f in model._meta.concrete_fields if f.attname == c) for c in columns]
    convert = [_converter(f) for f in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, convert, rows)
    n, batch = 0, []
    with connection.cursor() as cur:
        for row in rows:
            batch.append(tuple(v if c is None else c(v) for c, v in zip(convert, row, strict=True)))
            if len(batch) >= batch_size:
                cur.executemany(sql, batch)
                n, batch = n + len(batch), []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def _copy_rows(model, fields, convert, rows) -> int:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
    )
    # JSON columns as text (the same dumps as Django's `adapt_json_value`, None included: JSON null),
    # the rest as converted.
    text_convert = [
        (partial(json.dumps, cls=f.encoder) if f.encoder else json.dumps)
        if isinstance(f, models.JSONField)
        else c
        for f, c in zip(fields, convert, strict=True)
    ]
    convert_at = [(i, c) for i, c in enumerate(text_convert) if c is not None]
    n, block = 0, []
    with connection.cursor() as cur, cur.cursor.copy(statement) as copy:
        for row in rows:
            values = list(row)
            for i, c in convert_at:
                values[i] = c(values[i])
            line = _copy_line(values)
            if line is None:  # a type formatted by psycopg: flush the block, then this row
                if block:
                    copy.write("".join(block))
                    block = []
                copy.write_row(tuple(v if c is None else c(v) for c, v in zip(convert, row, strict=True)))
            else:
                block.append(line)
                if len(block) >= 1000:
                    copy.write("".join(block))
                    block = []
            n += 1
        if block:
            copy.write("".join(block))
    return n


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(v: str) -> str:
    return v.translate(_ESCAPES) if ("\\" in v or "\t" in v or "\n" in v or "\r" in v) else v


def _bool(v: bool) -> str:
    return "t" if v else "f"


def _null(v) -> str:
    return "\\N"


# Types written as COPY text here; `str` of each is PostgreSQL's input form (ISO dates and times
# with their offset, a Decimal's digits).
_FORMAT = {
    str: _text,
    int: str,
    bool: _bool,
    type(None): _null,
    Decimal: str,
    dt.date: dt.date.isoformat,
    dt.datetime: str,
}


def _copy_line(values) -> str | None:
    """One COPY text line for `values`, or None if a value's type is not one of `_FORMAT`'s."""
    fmt = _FORMAT
    try:
        return "\t".join([fmt[type(v)](v) for v in values]) + "\n"
    except KeyError:
        return None
