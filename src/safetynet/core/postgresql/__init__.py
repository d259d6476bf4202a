"""Django's PostgreSQL backend with prepared statements (`base`), and `unprepared()`, which
callers on any database may use: statements run inside are planned for their values every time
(base.py says why)."""

from __future__ import annotations

import contextlib
import contextvars

_UNPREPARED = contextvars.ContextVar("unprepared", default=False)


@contextlib.contextmanager
def unprepared():
    """Statements run inside are never prepared on PostgreSQL; elsewhere nothing changes."""
    token = _UNPREPARED.set(True)
    try:
        yield
    finally:
        _UNPREPARED.reset(token)


def preparing() -> bool:
    return not _UNPREPARED.get()
