"""The dashboard's figures per township, aggregated in SQL: a fixed number of grouped queries
(by township, and by category, monitoring mark or month) whatever the number of households. The
loops here run over grouped results, never over rows. The result is plain JSON — the same whether
computed live for a viewer's area or stored by the refresh job (`summary`) — and `combine` turns
the townships' parts into the dashboard of a viewer's selection.

`cut(qs, path)` narrows a queryset to the area read (a viewer's own area and chosen township, or a
region for the job); `path` is the lookup to the village code of its rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, TruncMonth

from safetynet.cases.models import Case, Lead
from safetynet.cases.selectors import due_soon_working_days
from safetynet.dashboard import events
from safetynet.dashboard.query import DashboardQuery, start_of
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.payments.models import PayrollLine
from safetynet.registry.models import Membership
from safetynet.workdays.services import work_calendar

Cut = Callable[[QuerySet, str], QuerySet]
VILLAGE = "household__village__code"
TOWNSHIP = "household__village__parent__code"


def _month(value) -> str:
    return value.strftime("%Y-%m")


def blank() -> dict:
    return {
        "stock": {},  # category → {"1"/"0" marked → {"households", "people"}}
        "residents": 0,
        "flows": {},  # month → category → {"inflow", "outflow"}
        "money": {},  # month → category → {"due", "paid", "due_lines", "paid_lines"} (amounts as text)
        "cases": {"open": 0, "due_soon": 0, "overdue": 0},
        "leads": {},  # month → {"raised", "handled", "confirmed"}
        "pending": 0,
    }


def due_soon_limit(day: dt.date) -> dt.date:
    """The last deadline that counts as due soon on `day` (the window is a dated parameter)."""
    return work_calendar().add_working_days(day, due_soon_working_days(day)).date


def _first_handling(actions) -> Subquery:
    return Subquery(
        events.handling_records(actions)
        .filter(object_id=Cast(OuterRef("pk"), CharField()))
        .order_by("at")
        .values("at")[:1],
        output_field=DateTimeField(),
    )


def township_parts(cut: Cut, q: DashboardQuery, townships: list[str]) -> dict[str, dict]:
    """{township code: parts} for the month of `q` (every category: the filter is applied by
    `combine`), over the rows `cut` lets through."""
    out = {code: blank() for code in townships}

    def part(code):
        return out.get(code)

    first = q.months[0].first
    rows = cut(Entitlement.objects.all(), VILLAGE)
    for g in (
        rows.filter(events.covering(q.day))
        .order_by()
        .values(t=F(TOWNSHIP), c=F("category"), m=F("monitoring_marked"))
        .annotate(n=Count("pk"))
    ):
        if (p := part(g["t"])) is not None:
            p["stock"].setdefault(g["c"], {}).setdefault(
                "1" if g["m"] else "0", {"households": 0, "people": 0}
            )["households"] += g["n"]
    for g in (
        cut(EntitlementMember.objects.all(), f"entitlement__{VILLAGE}")
        .filter(events.covering(q.day, "entitlement__"))
        .order_by()
        .values(
            t=F(f"entitlement__{TOWNSHIP}"),
            c=F("entitlement__category"),
            m=F("entitlement__monitoring_marked"),
        )
        .annotate(n=Count("pk"))
    ):
        if (p := part(g["t"])) is not None:
            p["stock"].setdefault(g["c"], {}).setdefault(
                "1" if g["m"] else "0", {"households": 0, "people": 0}
            )["people"] += g["n"]
    for g in (
        cut(Membership.objects.filter(counted=True, joined_on__lte=q.day), VILLAGE)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=q.day))
        .order_by()
        .values(t=F(TOWNSHIP))
        .annotate(n=Count("pk"))
    ):
        if (p := part(g["t"])) is not None:
            p["residents"] = g["n"]

    for kind, qs, field in (
        ("inflow", events.entries(rows, first, q.day), "valid_from"),
        ("outflow", events.exits(rows, first, q.day), "valid_until"),
    ):
        grouped = (
            qs.order_by()
            .annotate(mo=TruncMonth(field))
            .values("mo", t=F(TOWNSHIP), c=F("category"))
            .annotate(n=Count("pk"))
        )
        for g in grouped:
            if (p := part(g["t"])) is not None:
                cell = (
                    p["flows"].setdefault(_month(g["mo"]), {}).setdefault(g["c"], {"inflow": 0, "outflow": 0})
                )
                cell[kind] += g["n"]

    lines = cut(PayrollLine.objects.all(), VILLAGE).filter(
        benefit_month__gte=first, benefit_month__lte=q.month.first
    )
    for g in (
        events.due_lines(lines, q.cutoff)
        .order_by()
        .values("benefit_month", "category", t=F(TOWNSHIP))
        .annotate(
            due=Sum("amount"),
            due_lines=Count("pk"),
            paid=Sum("amount", filter=events.paid_q(q.cutoff)),
            paid_lines=Count("pk", filter=events.paid_q(q.cutoff)),
        )
    ):
        if (p := part(g["t"])) is not None:
            p["money"].setdefault(_month(g["benefit_month"]), {})[g["category"]] = {
                "due": str(g["due"] or 0),
                "paid": str(g["paid"] or 0),
                "due_lines": g["due_lines"],
                "paid_lines": g["paid_lines"],
            }

    limit = due_soon_limit(q.day)
    for g in (
        events.open_on(cut(Case.objects.all(), VILLAGE), q.day)
        .order_by()
        .values(t=F(TOWNSHIP))
        .annotate(
            open=Count("pk"),
            due_soon=Count("pk", filter=events.due_soon_q(q.day, limit)),
            overdue=Count("pk", filter=events.overdue_q(q.day)),
        )
    ):
        if (p := part(g["t"])) is not None:
            p["cases"] = {"open": g["open"], "due_soon": g["due_soon"], "overdue": g["overdue"]}

    start = start_of(first)
    leads = events.comparison_leads(cut(Lead.objects.all(), "village__code"))
    for g in (
        leads.filter(received_at__gte=start, received_at__lt=q.cutoff)
        .order_by()
        .annotate(mo=TruncMonth("received_at", output_field=DateField()))
        .values("mo", t=F("village__parent__code"))
        .annotate(n=Count("pk"))
    ):
        if (p := part(g["t"])) is not None:
            p["leads"].setdefault(_month(g["mo"]), {"raised": 0, "handled": 0, "confirmed": 0})["raised"] = g[
                "n"
            ]
    for key, actions in (("handled", events.HANDLED), ("confirmed", events.CONFIRMED)):
        for g in (
            leads.annotate(h=_first_handling(actions))
            .filter(h__gte=start, h__lt=q.cutoff)
            .order_by()
            .annotate(mo=TruncMonth("h", output_field=DateField()))
            .values("mo", t=F("village__parent__code"))
            .annotate(n=Count("pk"))
        ):
            if (p := part(g["t"])) is not None:
                p["leads"].setdefault(_month(g["mo"]), {"raised": 0, "handled": 0, "confirmed": 0})[key] = g[
                    "n"
                ]
    for g in (
        events.unhandled_at(leads, q.cutoff)
        .order_by()
        .values(t=F("village__parent__code"))
        .annotate(n=Count("pk"))
    ):
        if (p := part(g["t"])) is not None:
            p["pending"] = g["n"]
    return out
