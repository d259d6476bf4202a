"""Dates given as text by a caller (API query, command line): ISO 8601, with a clear error."""

from __future__ import annotations

import datetime as dt

from safetynet.core.errors import ValidationFailed


def parse_iso_date(value: str | None, field: str, *, default: dt.date | None = None) -> dt.date | None:
    """`YYYY-MM-DD` to a date; empty gives `default`; anything else a `ValidationFailed` naming `field`."""
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"日期 {value} 无效，应为 YYYY-MM-DD。", code="invalid_date", field=field
        ) from None
