"""The system's "today": the local date in the configured time zone (Asia/Shanghai).

Everything that needs the date of the procedure asks `clock.today()` through the module, so a test
moves one clock and every service, selector and job follows it.

The demo (and only the demo: `SAFETYNET_DEMO_CLOCK`, set by `safetynet demo`, refused together with
production HTTPS settings) can move the date forward by a number of days kept in the data directory
(`demo-clock.json`), so that a 5-day public notice can be completed while showing the system."""

from __future__ import annotations

import datetime as dt
import json
import os

from django.conf import settings
from django.utils import timezone

_read = {"mtime": None, "days": 0}


def today() -> dt.date:
    day = timezone.localdate()
    if demo_clock_on():
        day += dt.timedelta(days=demo_offset())
    return day


def demo_clock_on() -> bool:
    return bool(getattr(settings, "SAFETYNET_DEMO_CLOCK", False))


def _offset_file():
    return settings.DATA_DIR / "demo-clock.json"


def demo_offset() -> int:
    """Days the demo clock is ahead of the calendar (0 without the file)."""
    try:
        mtime = _offset_file().stat().st_mtime_ns
    except OSError:
        return 0
    if mtime != _read["mtime"]:
        try:
            days = int(json.loads(_offset_file().read_text())["days"])
        except (OSError, ValueError, KeyError, TypeError):
            days = 0
        _read.update(mtime=mtime, days=max(0, days))
    return _read["days"]


def set_demo_offset(days: int) -> int:
    """Put the demo clock `days` ahead of the calendar (never behind it); returns the offset."""
    if not demo_clock_on():
        raise RuntimeError("the demo clock is off (SAFETYNET_DEMO_CLOCK)")
    days = max(0, int(days))
    path = _offset_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"days": days}, f)
    return days
