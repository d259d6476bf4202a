"""What each dashboard number counts, defined once: the figures group these querysets by month or
township in SQL, and the drill-down lists show the rows of the same querysets for one month or one
township, so a list always holds exactly the number it was opened from.

Every definition reads dated facts, so a past month shows what was true then (docs/dashboard.md
says which numbers are exact and which are not):

- on the roll on day D: the entitlement row with valid_from ≤ D < valid_until;
- an entry (纳入) in a month: a row beginning in it that does not continue a row of the same
  household ending that day; an exit (退出): a row ending in it (its first day off) that no row
  of the same household continues;
- money due for a benefit month: the payroll lines committed by an approved payroll (approved
  before the cutoff); paid: those the bank confirmed paid before the cutoff;
- a case open on D: accepted on or before D, not closed by D; overdue: its deadline before D; due
  soon: its deadline within the due-soon window of working days from D;
- a comparison lead raised in a month: received in it; handled: merged into a case or dismissed
  (its audit record) in it; confirmed: merged into a case (线索属实，转入办理).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from safetynet.audit.models import AuditRecord
from safetynet.cases.models import Case, Channel, Lead
from safetynet.entitlements.models import Entitlement
from safetynet.payments.models import LineStatus, PayrollLine

COMPARISON_CHANNELS = (Channel.DATA_COMPARISON.value, Channel.DEPARTMENT_WARNING.value)
HANDLED = ("lead.merge", "lead.dismiss")
CONFIRMED = ("lead.merge",)


def covering(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


# ---- the roll -------------------------------------------------------------------------------


def entries(rows: QuerySet[Entitlement], first: dt.date, last: dt.date) -> QuerySet[Entitlement]:
    """Rows beginning between `first` and `last` (inclusive) that continue no earlier row."""
    continued = Entitlement.objects.filter(
        household=OuterRef("household"), valid_until=OuterRef("valid_from")
    )
    return rows.filter(valid_from__gte=first, valid_from__lte=last).filter(~Exists(continued))


def exits(rows: QuerySet[Entitlement], first: dt.date, last: dt.date) -> QuerySet[Entitlement]:
    """Rows whose first day off falls between `first` and `last` (inclusive), continued by none."""
    following = Entitlement.objects.filter(
        household=OuterRef("household"), valid_from=OuterRef("valid_until")
    )
    return rows.filter(valid_until__gte=first, valid_until__lte=last).filter(~Exists(following))


# ---- money ----------------------------------------------------------------------------------


def due_lines(lines: QuerySet[PayrollLine], cutoff: dt.datetime) -> QuerySet[PayrollLine]:
    return lines.filter(committed=True, payroll__approved_at__lt=cutoff)


def paid_q(cutoff: dt.datetime) -> Q:
    return Q(status=LineStatus.PAID, result_at__lt=cutoff)


# ---- cases ----------------------------------------------------------------------------------


def open_on(cases: QuerySet[Case], day: dt.date) -> QuerySet[Case]:
    return cases.filter(accepted_on__lte=day).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def overdue_q(day: dt.date) -> Q:
    return Q(deadline__lt=day)


def due_soon_q(day: dt.date, limit: dt.date) -> Q:
    return Q(deadline__gte=day, deadline__lte=limit)


# ---- comparison leads -----------------------------------------------------------------------


def comparison_leads(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    return leads.filter(channel__in=COMPARISON_CHANNELS)


def handling_records(actions=HANDLED) -> QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(object_type="lead", action__in=actions)


def _records_of_outer(end: dt.datetime, start: dt.datetime | None = None, actions=HANDLED):
    records = handling_records(actions).filter(object_id=Cast(OuterRef("pk"), CharField()), at__lt=end)
    return records.filter(at__gte=start) if start is not None else records


def handled_between(
    leads: QuerySet[Lead], start: dt.datetime, end: dt.datetime, actions=HANDLED
) -> QuerySet[Lead]:
    """The leads with a handling record (of `actions`) at or after `start` and before `end`."""
    return leads.filter(Exists(_records_of_outer(end, start, actions)))


def unhandled_at(leads: QuerySet[Lead], cutoff: dt.datetime) -> QuerySet[Lead]:
    """The leads received before `cutoff` and not handled by then."""
    return leads.filter(received_at__lt=cutoff).filter(~Exists(_records_of_outer(cutoff)))


def handled_records_of(leads: QuerySet[Lead], actions=HANDLED) -> QuerySet[AuditRecord]:
    """The handling records of these leads (grouped by month for the series)."""
    return handling_records(actions).filter(
        object_id__in=leads.annotate(key=Cast("pk", CharField())).values("key")
    )
