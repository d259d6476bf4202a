"""A township's month as the report stores it: the rules' lines turned into one JSON snapshot,
with the area and masked names the pages and the Excel file show (docs/monthly-report.md).

Amounts are strings of the Decimal (exact); names are masked (`core.masking`): the snapshot never
holds a full name, so neither does anything made from it."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES
from safetynet.core.masking import mask_name
from safetynet.registry.models import Household, Person
from safetynet.reports import rules
from safetynet.reports.timeline import households_touched, rows_at

# The order of the breakdowns' rows (the glossary's order, then anything else by code).
CATEGORY_ORDER = list(CATEGORY_LABELS)
MONITORING_ORDER = [*MONITORING_TYPES, "marked", "none"]


def _money(d: Decimal) -> str:
    return str(Decimal(d).quantize(Decimal("0.01")))


def _cell(cell: dict) -> dict:
    return {k: _money(v) if isinstance(v, Decimal) else v for k, v in cell.items()}


def _table(groups: dict, order: list[str]) -> list[dict]:
    keys = sorted(groups, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [{"group": k, **_cell(groups[k])} for k in keys]


def _terms(t: rules.Terms | None) -> dict | None:
    if t is None:
        return None
    return {
        "category": t.category,
        "monitoring_marked": t.monitoring_marked,
        "monitoring_type": t.monitoring_type,
        "amount": _money(t.amount),
        "people": t.people,
    }


def _person_terms(t: rules.PersonTerms | None) -> dict | None:
    if t is None:
        return None
    return {
        "household_id": t.household_id,
        "category": t.category,
        "monitoring_marked": t.monitoring_marked,
        "monitoring_type": t.monitoring_type,
        "amount": _money(t.amount),
        "household_amount": _money(t.household_amount),
    }


def _line(line: rules.HouseholdLine | None) -> dict | None:
    if line is None:
        return None
    return {
        "kind": line.kind,
        "changed": list(line.changed),
        "before": _terms(line.before),
        "after": _terms(line.after),
    }


def _delta(line: rules.HouseholdLine | None) -> Decimal:
    if line is None:
        return Decimal(0)
    return (line.after.amount if line.after else 0) - (line.before.amount if line.before else 0)


def _roster(r: rules.Roster) -> dict:
    return {"households": r.households, "people": r.people, "amount": _money(r.amount)}


def _labels(household_ids, person_ids) -> tuple[dict, dict]:
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__in=list(household_ids)).select_related("village", "head")
    }
    people = dict(Person.objects.filter(pk__in=list(person_ids)).values_list("pk", "name"))
    return households, people


def _household_fields(households: dict, hid: int) -> dict:
    h = households.get(hid)
    return {
        "household_id": hid,
        "village": h.village.code if h else "",
        "village_name": h.village.name if h else "",
        "head_name": mask_name(h.head.name) if h and h.head_id else "",
    }


def compute(*, township, month: rules.Month, seq: int, base: tuple[int, rules.Month] | None = None) -> dict:
    """The snapshot of `township`'s `month` from the timeline known at `seq`. `base` (the cutoff
    of the last approved report, the first month ever reported) adds the corrections (更正): each
    reported month's household lines that the writes between the two cutoffs changed."""
    rows = rows_at(township=township.code, seq=seq, months=(month.prev(), month))
    result = rules.month_result(rows, month)
    figures = rules.breakdowns(result)
    fixes: list[rules.Correction] = []
    if base is not None:
        base_seq, first = base
        touched = households_touched(township.code, base_seq, seq)
        months = []
        m = first
        while m < month:
            months.append(m)
            m = m.next()
        if touched and months:
            fixes = rules.corrections(
                rows_at(township=township.code, seq=base_seq, households=touched),
                rows_at(township=township.code, seq=seq, households=touched),
                months,
            )
    hids = {line.household_id for line in result.households} | {p.household_id for p in result.people}
    hids |= {c.household_id for c in fixes}
    households, names = _labels(hids, {p.person_id for p in result.people})
    return {
        "township": {"code": township.code, "name": township.name},
        "month": str(month),
        "cutoff_seq": seq,
        "corrections_base": {"seq": base[0], "first_month": str(base[1])} if base else None,
        "opening": _roster(result.opening),
        "closing": _roster(result.closing),
        "totals": _cell(figures["totals"]),
        "by_category": _table(figures["by_category"], CATEGORY_ORDER),
        "by_monitoring": _table(figures["by_monitoring"], MONITORING_ORDER),
        "households": [
            {**_household_fields(households, line.household_id), **_line(line)} for line in result.households
        ],
        "people": [
            {
                "person_id": p.person_id,
                "name": mask_name(names.get(p.person_id, "")),
                **{
                    k: v for k, v in _household_fields(households, p.household_id).items() if k != "head_name"
                },
                "kind": p.kind,
                "before": _person_terms(p.before),
                "after": _person_terms(p.after),
            }
            for p in result.people
        ],
        "corrections": [
            {
                "month": str(c.month),
                **_household_fields(households, c.household_id),
                "reported": _line(c.reported),
                "corrected": _line(c.corrected),
                "amount_delta": _money(_delta(c.corrected) - _delta(c.reported)),
            }
            for c in fixes
        ],
    }


def digest(figures: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON: what an approved report is checked against."""
    text = json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
