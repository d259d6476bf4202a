"""Reads of the entitlement timeline: what a household was entitled to on a day, who was entitled
on a day in an area, a household's whole timeline. Scoped like every read (`in_reach`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.registry.selectors import households_in_region, in_reach, reached_household

# The categories that pay a cash benefit to the household (the comparison's "recipients").
RECIPIENT_CATEGORIES = ("tekun", "dibao")


def covering(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gt=day))


def _with_members(qs: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
    return qs.prefetch_related(
        Prefetch("members", queryset=EntitlementMember.objects.select_related("person"))
    )


def entitlement_on(household, day: dt.date) -> Entitlement | None:
    """The row in force for `household` on `day` (unscoped: for services that hold the household)."""
    hid = getattr(household, "pk", household)
    return Entitlement.objects.filter(covering(day), household_id=hid).first()


def household_entitlement_on(user, household, day: dt.date) -> Entitlement | None:
    hh = reached_household(user, household)
    return _with_members(Entitlement.objects.filter(covering(day), household=hh)).first()


def timeline(user, household) -> list[Entitlement]:
    hh = reached_household(user, household)
    return list(
        _with_members(Entitlement.objects.filter(household=hh).select_related("case")).order_by("valid_from")
    )


def entitled_on(user, day: dt.date, area_code: str = "") -> QuerySet[Entitlement]:
    """Rows in force on `day` in the user's reach (and under `area_code` when given)."""
    qs = in_reach(Entitlement.objects.filter(covering(day)), user, "village__code")
    if area_code:
        qs = qs.filter(village__code__startswith=area_code)
    return qs.select_related("household__village__parent", "household__head")


def rows_in_region(region: str, day: dt.date) -> QuerySet[Entitlement]:
    """Rows in force on `day` in a region, for system jobs (the comparison snapshot, campaigns)."""
    return Entitlement.objects.filter(covering(day), household__in=households_in_region(region))


def is_recipient(household, day: dt.date) -> bool:
    row = entitlement_on(household, day)
    return row is not None and row.category in RECIPIENT_CATEGORIES


def current_row(household, today: dt.date) -> Entitlement | None:
    """The household's latest row that has not ended by `today`: the one in force, or one decided
    and starting next month (payment starts the month after approval)."""
    hid = getattr(household, "pk", household)
    return (
        Entitlement.objects.filter(household_id=hid)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=today))
        .order_by("-valid_from")
        .first()
    )


def current_in(rows: list[Entitlement], today: dt.date) -> Entitlement | None:
    """`current_row` among a household's rows already read (its `timeline`), without a query."""
    live = [r for r in rows if r.valid_until is None or r.valid_until > today]
    return max(live, key=lambda r: r.valid_from, default=None)


def marked_since(household, row: Entitlement) -> dt.date:
    """The first day of the unbroken run of monitored rows that ends with `row`."""
    hid = getattr(household, "pk", household)
    rows = Entitlement.objects.filter(household_id=hid, valid_from__lte=row.valid_from).order_by(
        "-valid_from"
    )
    since = row.valid_from
    for r in rows:
        if not r.monitoring_marked or (r.pk != row.pk and r.valid_until != since):
            break
        since = r.valid_from
    return since
