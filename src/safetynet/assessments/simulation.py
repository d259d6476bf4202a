"""What-if simulation for the leading group, and the path to 两线合一.

`simulate` assesses the whole register twice — under the parameters in force today and under
candidate values appended for a future date — and reports, per township and category, how many
households and people change status and what the benefits cost per year. `two_lines` shows, year
by year, the monitoring line beside the rural 低保边缘 line (edge multiplier × rural 低保 standard,
per year) and the gap between them: the seed (二(二)1(2)) moves the first onto the second.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from safetynet import policy
from safetynet.assessments.services import parameter_set, register_chunks
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.models import Area

CATEGORY_ORDER = ("tekun", "dibao", "dibao_edge", "rigid_hardship", "none")


def _outcomes(qs, params: policy.ParametersOnDate, on: dt.date) -> tuple[dict[int, tuple], set[str]]:
    """household id → (township code, category, monitored, people, yearly benefit)."""
    out, unverified = {}, set()
    for part in register_chunks(qs, on=on):
        if part.table is None:
            continue
        result = policy.assess_batch(part.table, params)
        unverified |= set(result.unverified_parameters)
        cats = result.category_names()
        monitored = result.columns["monitoring"] > 0
        size = result.columns["family_size"]
        benefit = result.columns["benefit_monthly"]
        for i, h in enumerate(part.households):
            out[h.pk] = (
                h.village.code[:9],
                str(cats[i]),
                bool(monitored[i]),
                int(size[i]),
                Decimal(int(benefit[i])) * 12,
            )
    return out, unverified


def _blank() -> dict:
    return {
        "categories": {
            c: {"households_before": 0, "households_after": 0, "people_before": 0, "people_after": 0}
            for c in CATEGORY_ORDER
        },
        "monitored_before": 0,
        "monitored_after": 0,
        "changed_households": 0,
        "changed_people": 0,
        "yearly_cost_before": Decimal(0),
        "yearly_cost_after": Decimal(0),
    }


def simulate(
    *, region: str, candidates: list[dict], on: dt.date, today: dt.date | None = None, households=None
) -> dict:
    """Compare today's outcomes with the outcomes under `candidates` (parameter entries) on `on`."""
    today = today or timezone.localdate()
    base = parameter_set(region)
    candidate_set = base
    for entry in candidates:
        candidate_set = candidate_set.with_entry(entry)  # raises ParameterError naming the parameter
    qs = households if households is not None else registry_selectors.households_in_region(region)
    before, unverified_before = _outcomes(qs, base.on(today), today)
    after, unverified_after = _outcomes(qs, candidate_set.on(on), on)

    names = dict(
        Area.objects.filter(code__startswith=region, level=Area.Level.TOWNSHIP).values_list("code", "name")
    )
    townships: dict[str, dict] = defaultdict(_blank)
    transitions: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for hid in before.keys() & after.keys():
        town, cat0, mon0, people0, cost0 = before[hid]
        _, cat1, mon1, people1, cost1 = after[hid]
        for row in (townships[town], townships["total"]):
            row["categories"][cat0]["households_before"] += 1
            row["categories"][cat0]["people_before"] += people0
            row["categories"][cat1]["households_after"] += 1
            row["categories"][cat1]["people_after"] += people1
            row["monitored_before"] += mon0
            row["monitored_after"] += mon1
            row["yearly_cost_before"] += cost0
            row["yearly_cost_after"] += cost1
            if cat0 != cat1 or mon0 != mon1:
                row["changed_households"] += 1
                row["changed_people"] += max(people0, people1)
        if cat0 != cat1:
            transitions[(cat0, cat1)][0] += 1
            transitions[(cat0, cat1)][1] += max(people0, people1)
    total = townships.pop("total", _blank())
    return {
        "region": region,
        "current": {"on": today.isoformat(), "parameters_version": base.version},
        "candidate": {
            "on": on.isoformat(),
            "parameters_version": candidate_set.version,
            "values": [
                {"name": e["name"], "value": policy.jsonable(Decimal(str(e["value"])))} for e in candidates
            ],
        },
        "townships": [
            {"code": code, "name": names.get(code, code), **townships[code]} for code in sorted(townships)
        ],
        "total": total,
        "transitions": [
            {"from": a, "to": b, "households": n, "people": p}
            for (a, b), (n, p) in sorted(transitions.items(), key=lambda kv: -kv[1][0])
        ],
        "unverified_parameters": sorted(unverified_before | unverified_after),
    }


def two_lines(region: str, years: range | None = None, *, candidates: list[dict] = ()) -> list[dict]:
    """Per year (values in force on 1 July): the monitoring line, the rural edge line
    (edge.income_multiplier × dibao.standard_monthly.rural × 12) and the gap between them, yuan/year."""
    ps = parameter_set(region)
    for entry in candidates:
        ps = ps.with_entry(entry)
    years = years or range(2024, timezone.localdate().year + 2)
    rows = []
    for year in years:
        p = ps.on(dt.date(year, 7, 1))
        try:
            monitoring = Decimal(p["monitoring.line_annual"])
            edge = Decimal(p["edge.income_multiplier"]) * Decimal(p["dibao.standard_monthly.rural"]) * 12
        except policy.ParameterError:
            continue  # a year before the county's parameters begin
        rows.append(
            {
                "year": year,
                "monitoring_line": monitoring,
                "edge_line": edge.quantize(Decimal("1")),
                "gap": (edge - monitoring).quantize(Decimal("1")),
                "verified": not p.unverified_names(),
            }
        )
    return rows
