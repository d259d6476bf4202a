"""Shared bits of the assessment commands: dates from the command line, errors as JSON."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import CommandError

from safetynet.core.errors import SafetynetError, ValidationFailed


def parse_day(value: str | None, field: str = "on") -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"日期 {value} 无效，应为 YYYY-MM-DD", code="invalid_date", field=field
        ) from None


def fail(command, error: SafetynetError) -> None:
    """Print `{"code", "message", "field"}` on stdout and leave with exit code 2, no traceback."""
    command.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
    raise CommandError(error.message, returncode=2)
