"""The system's "today": the local date in the configured time zone (Asia/Shanghai).

Everything that needs the date of the procedure asks `clock.today()` through the module, so a test
moves one clock and every service, selector and job follows it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()
