"""The roster: the entitlement rows in force on the query's date, in the viewer's reach, filtered
and sorted in SQL (one query for a page, one grouped query for the totals per category and in
all), with the people on each row as the row stores them, so a member filter never multiplies rows."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Sum

from safetynet.accounts.roles import Perm
from safetynet.cases import risk_closure
from safetynet.core.errors import PermissionDenied
from safetynet.entitlements import selectors as entitlements
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.registry.models import Household
from safetynet.rosters.query import RosterQuery

SORT_FIELDS = {
    "household": ("household_id",),
    "village": ("village__code", "household_id"),
    "category": ("category", "household_id"),
    "amount": ("benefit_monthly", "household_id"),
    "valid_from": ("valid_from", "household_id"),
    "review_due": ("review_due", "household_id"),
}


def _yuan(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def require_roster(user) -> None:
    if not user.can(Perm.VIEW_ROSTER):
        raise PermissionDenied("您的角色无权查看花名册。")


def filtered(user, q: RosterQuery) -> QuerySet[Entitlement]:
    """The rows the query selects, unsorted and without labels (totals, counts, the export)."""
    require_roster(user)
    qs = entitlements.entitled_on(user, q.day, q.area_code)
    if q.category:
        qs = qs.filter(category=q.category)
    if q.marked is not None:
        qs = qs.filter(monitoring_marked=q.marked)
    if q.monitoring_type:
        qs = qs.filter(monitoring_type=q.monitoring_type)
    if q.member_category:
        qs = qs.filter(
            Exists(EntitlementMember.objects.filter(entitlement=OuterRef("pk"), category=q.member_category))
        )
    if q.amount_min is not None:
        qs = qs.filter(benefit_monthly__gte=q.amount_min)
    if q.amount_max is not None:
        qs = qs.filter(benefit_monthly__lte=q.amount_max)
    if q.review_due_by is not None:
        qs = qs.filter(review_due__lte=q.review_due_by)
    return qs


def _head_name():
    return Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("head__name")[:1])


def roster(user, q: RosterQuery) -> QuerySet[Entitlement]:
    """The page's rows: village and township, the head's name and the people counted (subqueries
    run for the rows shown only), sorted. Callers needing the household objects prefetch them
    for their rows (`with_households`)."""
    fields = SORT_FIELDS[q.order]
    order = [f"-{f}" if q.descending and i == 0 else f for i, f in enumerate(fields)]
    if q.order == "review_due":
        first = (
            F("review_due").desc(nulls_last=True) if q.descending else F("review_due").asc(nulls_last=True)
        )
        order = [first, "household_id"]
    return (
        filtered(user, q)
        .select_related(None)
        .select_related("village__parent")
        .annotate(head_name=_head_name())
        .order_by(*order)
    )


def with_households(rows: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
    """The rows with their household and its head fetched for the rows taken (two queries)."""
    return rows.prefetch_related("household__head")


def summary(user, q: RosterQuery) -> dict:
    """The whole selection's households, people and monthly amount, in all and per category (the
    summary above the table, and the table's count), from one grouped query."""
    rows = [
        {**r, "amount": _yuan(r["amount"])}
        for r in filtered(user, q)
        .order_by()
        .values("category")
        .annotate(households=Count("pk"), people=Sum("people"), amount=Sum("benefit_monthly"))
        .order_by("category")
    ]
    return {
        "households": sum(r["households"] for r in rows),
        "people": sum(r["people"] for r in rows),
        "amount": _yuan(sum((r["amount"] for r in rows), Decimal(0))),
        "by_category": rows,
    }


def closure_outlook(rows, on) -> dict[int, str]:
    """For the rows of one page of monitored households: "" when risk closure is possible on
    `on`, else the reason it is not (POLICY.md §8, cases.risk_closure)."""
    out = {}
    for row in rows:
        refusal = risk_closure.refusal(row.household, row, on)
        out[row.pk] = refusal.message if refusal else ""
    return out
