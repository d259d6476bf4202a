"""Template context shared by every page: the demo clock's date when it runs ahead."""

from __future__ import annotations

from safetynet.core import clock


def demo_clock(request) -> dict:
    if not clock.demo_clock_on():
        return {}
    return {"demo_clock": {"today": clock.today(), "days": clock.demo_offset()}}
