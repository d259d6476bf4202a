"""Report fixtures: rows opened and closed through the real entitlement services, and the month
computed as a report would (the timeline known now)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from safetynet.registry.models import Area
from safetynet.reports import figures
from safetynet.reports.rules import Month
from safetynet.reports.timeline import head_seq
from tests.conftest import CHANGNING

D = dt.date


def terms(category="dibao", amount="600", marked=False, mtype="", members=()):
    return ent.Terms(
        category=category,
        benefit_monthly=Decimal(amount),
        monitoring_marked=marked,
        monitoring_type=mtype,
        members=tuple(members),
    )


def open_(household, start, t=None, basis="admission"):
    return ent.open_row(
        household=household,
        valid_from=start,
        terms=t or terms(),
        basis=basis,
        decided_on=start - dt.timedelta(days=10),
        actor=SYSTEM,
    )


def stop(household, on, reason="收入超过低保标准"):
    return ent.close_current(household=household, on=on, basis="stop", actor=SYSTEM, reason=reason)


def month_of(text: str, township: str = CHANGNING) -> dict:
    """The township's month from the timeline as known now."""
    return figures.compute(township=Area.objects.get(code=township), month=Month.parse(text), seq=head_seq())


def line_of(f: dict, household) -> dict | None:
    return next((x for x in f["households"] if x["household_id"] == household.pk), None)
