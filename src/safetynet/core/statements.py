"""Querysets of a fixed shape, written as SQL once a process and run again with other values.

Every page reads the same few things the same way: the signed-in user with their area, the work
calendar, the county's entered parameters. Django builds each of those querysets anew and writes
its SQL again on every request, which costs several times what the database spends on it. A
`Statement` builds its queryset once, with markers in place of the values, has Django write the
SQL once for each database, and from then on binds the values given into that SQL. The rows come
back as the queryset gives them (Django's own iterables read them: model instances with their
`select_related` rows, the tuples of `values_list`, converted as the ORM converts them), and the
statement goes through the connection's cursor like any other, so query counts and logging see it.

A marker has to reach the SQL as one parameter: unchanged (an exact comparison with a whole number
or a text: `pk=…`, `region=…`), or, a text, inside one pattern (`code__startswith=…` writes
`marker%`). A value bound into a pattern must be plain ASCII letters and digits, which no database
escapes or reads as a wildcard (an area's code), so the pattern means for it what it meant for the
marker. Writing the SQL checks that each marker is found in exactly one parameter, so a statement
that cannot be bound this way fails the first time it runs, in its tests, rather than binding the
wrong value.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

# What the iterables read off a compiler once it has written the SQL.
_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


@dataclass(frozen=True)
class _Written:
    sql: str
    params: tuple
    positions: tuple[int, ...]  # where each marker's value goes in `params`
    patterns: tuple[bool, ...]  # whether it goes inside a pattern, in the marker's place
    state: dict


def plain(value: str) -> bool:
    """Whether a text can be bound into a pattern: ASCII letters and digits only."""
    return value.isascii() and value.isalnum()


class Statement:
    """`build(*markers)` makes the queryset; `statement(*values)` is the list of its rows with
    the values in the markers' places. The values must be of the markers' types."""

    def __init__(self, build: Callable[..., QuerySet], *markers: int | str):
        if len(set(markers)) != len(markers):
            raise ValueError("each marker must be distinct")
        self.build, self.markers = build, markers
        self._queryset: QuerySet | None = None  # built at the first call, once the models are ready
        self._written: dict[str, _Written] = {}
        self._lock = threading.Lock()

    @property
    def queryset(self) -> QuerySet:
        if self._queryset is None:
            self._queryset = self.build(*self.markers)
        return self._queryset

    @property
    def db(self) -> str:
        """The database the statement reads (the router's choice for its model)."""
        return self.queryset.db

    def __call__(self, *values) -> list:
        if len(values) != len(self.markers):
            raise TypeError(f"{len(self.markers)} values expected, {len(values)} given")
        for value, marker in zip(values, self.markers, strict=True):
            if type(value) is not type(marker):
                raise TypeError(f"{value!r} is not a {type(marker).__name__}")
        qs = self.queryset.all()
        written = self._written.get(qs.db) or self._write(qs.db)
        params = list(written.params)
        for position, pattern, value, marker in zip(
            written.positions, written.patterns, values, self.markers, strict=True
        ):
            if not pattern:
                params[position] = value
            elif plain(value):
                params[position] = params[position].replace(marker, value)
            else:
                raise ValueError(f"{value!r} goes into a pattern: only ASCII letters and digits can")
        query = qs.query
        get_compiler = query.get_compiler

        def bound(using=None, connection=None, elide_empty=True):
            """A compiler as Django's iterables use it, with the SQL already written."""
            compiler = get_compiler(using, connection, elide_empty)
            compiler.__dict__.update(written.state)
            compiler.as_sql = lambda *args, **kwargs: (written.sql, tuple(params))
            return compiler

        query.get_compiler = bound
        try:
            return list(qs)
        finally:
            del query.get_compiler  # no cycle left between the query and its compiler's maker

    def _write(self, alias: str) -> _Written:
        with self._lock:
            if alias in self._written:
                return self._written[alias]
            compiler = self.queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            positions, patterns = [], []
            for marker in self.markers:
                whole = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
                inside = [
                    i
                    for i, p in enumerate(params)
                    if isinstance(marker, str) and type(p) is str and p != marker and marker in p
                ]
                if len(whole) + len(inside) != 1 or any(params[i].count(marker) != 1 for i in inside):
                    raise ValueError(f"marker {marker!r} is not in one parameter of the SQL: {sql} {params}")
                positions.append((whole or inside)[0])
                patterns.append(bool(inside))
            state = {name: getattr(compiler, name) for name in _STATE}
            written = _Written(sql, tuple(params), tuple(positions), tuple(patterns), state)
            self._written[alias] = written
            return written
