"""The entitlement timeline as it was known at a cutoff (the report's reproducibility).

A cutoff is a sequence number of the audit trail. Every write of the timeline appends its audit
record in its own transaction (`entitlement.open` with the row's id and its end as opened,
`entitlement.close` with the end it set), and the trail's head is locked from the first append to
the commit, so the writes a cutoff S knows are exactly those whose records have seq ≤ S.

Rows are never edited except that a close sets `valid_until` (an earlier end, possibly long after
the row was opened: a death learned late). So the timeline at S is: every row except those
opened after S, each with `valid_until` as its latest close at or before S set it (or as it was
opened) when a close after S changed it since. A row migrated from the old filed statuses has no
opening record; if it was closed after S, it is taken as open-ended at S (docs/monthly-report.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, Q

from safetynet.audit.models import AuditRecord, ChainHead
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.reports.rules import MemberPart, Month, Row

OPEN, CLOSE = "entitlement.open", "entitlement.close"


def head_seq(*, lock: bool = False) -> int:
    """The audit trail's last sequence number (locked: no timeline write can commit until the
    caller's transaction ends, so its reads and its cutoff agree)."""
    qs = ChainHead.objects.select_for_update() if lock else ChainHead.objects
    head = qs.filter(id=1).first()
    return head.seq if head else 0


def seq_at(moment: dt.datetime) -> int:
    """The cutoff of a moment: the last audit record written before it."""
    last = AuditRecord.objects.filter(at__lt=moment).order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def _ends_at(seq: int) -> tuple[set[int], dict[int, dt.date | None]]:
    """(rows opened after `seq`, {row closed after `seq`: its end as known at `seq`})."""
    late = AuditRecord.objects.filter(object_type="entitlement", action__in=(OPEN, CLOSE), seq__gt=seq)
    opened, closed = set(), set()
    for action, object_id in late.values_list("action", "object_id"):
        (opened if action == OPEN else closed).add(int(object_id))
    closed -= opened
    ends: dict[int, dt.date | None] = dict.fromkeys(closed)
    if closed:
        earlier = AuditRecord.objects.filter(
            object_type="entitlement",
            action__in=(OPEN, CLOSE),
            object_id__in=[str(i) for i in closed],
            seq__lte=seq,
        ).order_by("seq")
        for object_id, changes in earlier.values_list("object_id", "changes"):
            until = (changes or {}).get("valid_until")
            ends[int(object_id)] = dt.date.fromisoformat(until) if until else None
    return opened, ends


def rows_at(
    *,
    township: str,
    seq: int | None,
    months: tuple[Month, Month] | None = None,
    households: Iterable[int] | None = None,
) -> dict[int, list[Row]]:
    """{household: its rows as known at `seq`} for the households under `township`; only rows in
    force on some day of `months` (first, last) when given; `seq` None is now."""
    opened, ends = _ends_at(seq) if seq is not None else (set(), {})
    qs = Entitlement.objects.filter(household__village__code__startswith=township).exclude(pk__in=opened)
    if households is not None:
        qs = qs.filter(household_id__in=list(households))
    if months is not None:
        first, last = months
        qs = qs.filter(valid_from__lt=last.end).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=first.first) | Q(pk__in=list(ends))
        )
    qs = qs.prefetch_related(
        Prefetch(
            "members",
            queryset=EntitlementMember.objects.only(
                "entitlement_id", "person_id", "category", "benefit_monthly"
            ),
        )
    ).order_by("household_id", "valid_from")
    out: dict[int, list[Row]] = {}
    for e in qs:
        until = ends[e.pk] if e.pk in ends else e.valid_until
        if until is not None and until <= e.valid_from:
            continue
        row = Row(
            id=e.pk,
            household_id=e.household_id,
            valid_from=e.valid_from,
            valid_until=until,
            category=e.category,
            monitoring_marked=e.monitoring_marked,
            monitoring_type=e.monitoring_type or "",
            amount=e.benefit_monthly,
            members=tuple(
                MemberPart(m.person_id, m.category or e.category, m.benefit_monthly) for m in e.members.all()
            ),
        )
        if months is not None and not _overlaps(row, months):
            continue
        out.setdefault(e.household_id, []).append(row)
    return out


def _overlaps(row: Row, months: tuple[Month, Month]) -> bool:
    first, last = months
    return row.valid_from < last.end and (row.valid_until is None or row.valid_until > first.first)


def households_touched(township: str, after_seq: int, upto_seq: int) -> set[int]:
    """Households under `township` whose timeline was written between two cutoffs."""
    records = AuditRecord.objects.filter(
        object_type="entitlement", action__in=(OPEN, CLOSE), seq__gt=after_seq, seq__lte=upto_seq
    ).values_list("changes", flat=True)
    ids = {int(c["household"]) for c in records if c and c.get("household") is not None}
    if not ids:
        return set()
    return set(
        Entitlement.objects.filter(household_id__in=ids, household__village__code__startswith=township)
        .values_list("household_id", flat=True)
        .distinct()
    )
