"""The dashboard's summaries: each township's parts for a month, computed by the refresh job in
one grouped pass over the whole register and stored with the time they were computed, so the
dashboard of a county (or a province) reads a row per township instead of aggregating hundreds of
thousands of rows per request. A summary is used only for the day it was computed for (the current
month's: today), so a stale one is never shown as today's; the page shows its time
(docs/dashboard.md)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from safetynet.core import clock
from safetynet.dashboard import parts
from safetynet.dashboard.models import DashboardSummary
from safetynet.dashboard.query import DashboardQuery, for_month
from safetynet.registry.models import Area
from safetynet.reports.rules import Month


def read(townships: list[str], q: DashboardQuery) -> tuple[dict | None, dt.datetime | None]:
    """({township: parts}, the oldest summary's time) when every township has a summary for the
    month and day of `q`; else (None, None)."""
    if not townships:
        return None, None
    rows = list(
        DashboardSummary.objects.filter(
            township__code__in=townships, month=q.month.first, day=q.day
        ).values_list("township__code", "parts", "computed_at")
    )
    if len(rows) < len(townships):
        return None, None
    return {code: p for code, p, _ in rows}, min(at for _, _, at in rows)


def refresh(region: str = "", months: int = 2) -> int:
    """Compute and store every township's parts under `region` (default: everywhere) for the
    current month and the `months - 1` before it. Returns the number of summaries written."""
    townships = list(
        Area.objects.filter(level=Area.Level.TOWNSHIP, code__startswith=region).values_list("pk", "code")
    )
    ids = {code: pk for pk, code in townships}
    month = Month.of(clock.today())
    written = 0
    for _ in range(months):
        q = for_month(month)
        found = parts.township_parts(
            lambda qs, path: qs.filter(**{f"{path}__startswith": region}) if region else qs,
            q,
            list(ids),
        )
        now = timezone.now()
        with transaction.atomic():
            DashboardSummary.objects.filter(month=month.first, township_id__in=ids.values()).delete()
            DashboardSummary.objects.bulk_create(
                DashboardSummary(
                    township_id=ids[code], month=month.first, day=q.day, parts=p, computed_at=now
                )
                for code, p in found.items()
            )
        written += len(found)
        month = month.prev()
    return written
