"""The roster: the entitlement rows in force on the query's date, in the viewer's reach, filtered
and sorted in SQL (one query for a page, one for the totals), with the people on each row counted
by a subquery so a member filter never multiplies rows."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from safetynet.accounts.roles import Perm
from safetynet.cases import risk_closure
from safetynet.core.errors import PermissionDenied
from safetynet.entitlements import selectors as entitlements
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.rosters.query import RosterQuery

SORT_FIELDS = {
    "household": ("household_id",),
    "village": ("household__village__code", "household_id"),
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


def _people():
    return Subquery(
        EntitlementMember.objects.filter(entitlement=OuterRef("pk"))
        .order_by()
        .values("entitlement")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


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


def roster(user, q: RosterQuery) -> QuerySet[Entitlement]:
    """The page's rows: household, village and township, head, people counted, sorted."""
    fields = SORT_FIELDS[q.order]
    order = [f"-{f}" if q.descending and i == 0 else f for i, f in enumerate(fields)]
    if q.order == "review_due":
        first = (
            F("review_due").desc(nulls_last=True) if q.descending else F("review_due").asc(nulls_last=True)
        )
        order = [first, "household_id"]
    return (
        filtered(user, q)
        .select_related("household__village__parent", "household__head")
        .annotate(people=Coalesce(_people(), 0))
        .order_by(*order)
    )


def totals(user, q: RosterQuery) -> dict:
    """Households, people and the monthly amount of the whole selection (not only the page)."""
    qs = filtered(user, q)
    agg = qs.aggregate(households=Count("pk"), amount=Sum("benefit_monthly"))
    people = EntitlementMember.objects.filter(entitlement__in=qs.values("pk")).count()
    return {
        "households": agg["households"],
        "people": people,
        "amount": _yuan(agg["amount"]),
    }


def by_category(user, q: RosterQuery) -> list[dict]:
    """The selection's households and amount per category (the summary above the table)."""
    rows = (
        filtered(user, q)
        .order_by()
        .values("category")
        .annotate(households=Count("pk"), amount=Sum("benefit_monthly"))
        .order_by("category")
    )
    return [{**r, "amount": _yuan(r["amount"])} for r in rows]


def closure_outlook(rows, on) -> dict[int, str]:
    """For the rows of one page of monitored households: "" when risk closure is possible on
    `on`, else the reason it is not (POLICY.md §8, cases.risk_closure)."""
    out = {}
    for row in rows:
        refusal = risk_closure.refusal(row.household, row, on)
        out[row.pk] = refusal.message if refusal else ""
    return out
