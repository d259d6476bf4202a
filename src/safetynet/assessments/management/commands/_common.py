"""Shared bits of the assessment commands: dates from the command line, errors as JSON."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import CommandError

from safetynet.core.dates import parse_iso_date
from safetynet.core.errors import SafetynetError


def parse_day(value: str | None, field: str = "on") -> date:
    return parse_iso_date(value, field, default=date.today())


def fail(command, error: SafetynetError) -> None:
    """Print `{"code", "message", "field"}` on stdout and leave with exit code 2, no traceback."""
    command.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
    raise CommandError(error.message, returncode=2)
