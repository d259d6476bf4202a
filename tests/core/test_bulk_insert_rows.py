"""`core.bulk_insert.insert_rows` stores every value as it was given, on both databases: on
PostgreSQL through COPY text lines formatted by the module (escapes, NULL, JSON, dates and times)
and, for a row holding another type, through psycopg's own row formatting."""

import datetime as dt
import enum

import pytest

from safetynet.audit.models import AuditRecord
from safetynet.core.bulk_insert import _copy_line, insert_rows

pytestmark = pytest.mark.django_db

COLUMNS = [
    "seq",
    "at",
    "actor_id",
    "actor",
    "role",
    "area",
    "client",
    "action",
    "object_type",
    "object_id",
    "changes",
    "reason",
    "prev_hash",
    "hash",
]


class Seq(enum.IntEnum):  # a type the COPY text path does not format itself
    FIRST = 900001


def _rows():
    at = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    return [
        (
            900000,
            at,
            None,
            "a\\b\tc\nd\re",
            "",
            "",
            "",
            "x",
            "",
            "王五",
            {"k": "v\\\n\t", "n": None, "d": 1.25},
            "",
            "p",
            "h",
        ),
        (
            Seq.FIRST,
            at + dt.timedelta(hours=1),
            7,
            "plain",
            "r",
            "14",
            "c",
            "y",
            "t",
            "",
            None,
            "\\N",
            "p2",
            "h2",
        ),
        (900002, at, 2**40, "", "", "", "", "z", "", "1", [], "多行\n原因", "", ""),
    ]


def test_rows_read_back_exactly_as_given():
    rows = _rows()
    assert insert_rows(AuditRecord, COLUMNS, rows) == 3
    got = list(AuditRecord.objects.filter(seq__gte=900000).order_by("seq").values_list(*COLUMNS))
    assert got == [tuple(int(v) if isinstance(v, Seq) else v for v in row) for row in rows]


def test_copy_line_escapes_text_and_writes_null_and_refuses_other_types():
    line = _copy_line(["a\\b\tc\nd\re", None, True, False, 5, dt.date(2026, 1, 2)])
    assert line == "a\\\\b\\tc\\nd\\re\t\\N\tt\tf\t5\t2026-01-02\n"
    assert _copy_line([1.5]) is None and _copy_line([Seq.FIRST]) is None
