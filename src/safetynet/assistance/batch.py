"""Suggestions for every household of an area at once (the township's "every recipient and every
monitored household"), and the 住建 grades read in one pass for many residents.

The same rules and the same facts as one household's generation (`services.generate_suggestions`):
the entitlement in force on the day, the register's member facts, the 住建 grade. Set-based where
it counts: the rows in force, their members and the current memberships are read in a few
queries for the whole area, the 住建 grades in one DuckDB query over the current housing files,
the new measures inserted with `bulk_create`, one audit record per household that got any.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.assessments.services import parameter_set
from safetynet.assistance.models import OPEN_STATUSES, Measure, MeasureStatus
from safetynet.assistance.suggestions import HouseholdFacts, MemberFacts, in_plan, suggest
from safetynet.audit.services import Actor, Entry, record_audits
from safetynet.core import clock
from safetynet.core.errors import NotFound, PermissionDenied
from safetynet.entitlements.selectors import entitled_on
from safetynet.registry.models import Membership
from safetynet.registry.selectors import areas_visible_to, households_visible_to

UNKNOWN = ""


def house_grades(id_indexes: list[str]) -> dict[str, str]:
    """{blind index: 住建 grade} of the current housing records of these residents (one query)."""
    from safetynet.verification import storage
    from safetynet.verification.current import current_sql
    from safetynet.verification.keys import wanted
    from safetynet.verification.services import current_uploads
    from safetynet.verification.sources import SOURCES

    uploads = current_uploads().get("housing", [])
    if not uploads or not id_indexes:
        return {}
    con = duckdb.connect()
    try:
        back = wanted(con, id_indexes)
        query = current_sql(
            SOURCES["housing"], len(uploads), where="id_index IN (SELECT id_index FROM wanted)"
        )
        rows = con.execute(
            f"SELECT id_index, grade FROM ({query}) q", [str(storage.absolute(u.data_path)) for u in uploads]
        ).fetchall()
    finally:
        con.close()
    return {back[bytes(k)]: g for k, g in rows}


def worst_grade(grades) -> str:
    return max((g for g in grades if g), default=UNKNOWN)  # "D" > "C" > "B" > "A"


def area_facts(user, households, on: dt.date) -> list[HouseholdFacts]:
    """The facts of every household of a queryset that has a plan on `on`, in few queries; the
    entitlements through `entitlements.selectors.entitled_on` (the rows in force on the day)."""
    hh = {h.pk: h for h in households.only("pk", "hukou", "alleviated", "head_id")}
    rows = {
        e.household_id: e
        # Without the selector's joins: the head (an encrypted row) is not needed here.
        for e in entitled_on(user, on)
        .select_related(None)
        .filter(household_id__in=list(hh))
        .prefetch_related("members")
    }
    own: dict[int, dict[int, str]] = defaultdict(dict)
    for hid, row in rows.items():
        for em in row.members.all():
            own[hid][em.person_id] = em.category or row.category
    members: dict[int, list] = defaultdict(list)
    for m in (
        Membership.objects.filter(
            household_id__in=list(hh), left_on__isnull=True, person__died_on__isnull=True
        )
        .select_related("person")
        # The rules need no identifier: the encrypted fields are not loaded (nor decrypted).
        .defer("person__id_number", "person__phone", "person__bank_account")
        .order_by("household_id", "id")
    ):
        members[m.household_id].append(m)
    grades = house_grades([m.person.id_index for ms in members.values() for m in ms])
    out = []
    for hid, h in hh.items():
        row = rows.get(hid)
        f = HouseholdFacts(
            household_id=hid,
            category=row.category if row else "none",
            monitoring_marked=bool(row and row.monitoring_marked),
            hukou=h.hukou,
            alleviated=h.alleviated,
            house_grade=worst_grade(grades.get(m.person.id_index, "") for m in members[hid]),
            head_id=h.head_id,
            members=tuple(MemberFacts.of(m, on, own[hid].get(m.person_id, "")) for m in members[hid]),
        )
        if in_plan(f):
            out.append(f)
    return out


CHUNK = 2000  # households read and written per step (bounded IN lists and memory)


def _new_measures(facts, params, on, user, version, digest, existing) -> list[Measure]:
    new = []
    for f in facts:
        fj = None
        for s in suggest(f, params):
            key = (f.household_id, s.person_id, s.kind, s.rule)
            if key in existing:
                continue
            existing.add(key)
            fj = fj or f.as_dict()
            new.append(
                Measure(
                    household_id=f.household_id, person_id=s.person_id, kind=s.kind, department=s.department,
                    amount=s.amount, rule=s.rule, clause=s.clause, reason=s.reason, facts=fj,
                    parameters_version=version, parameters_digest=digest, suggested_on=on, created_by=user,
                )
            )  # fmt: skip
    return new


def suggest_for_area(*, user, area_code: str, on: dt.date | None = None, client: str = "") -> dict:
    """Generate the suggestions of every household with a plan under `area_code` (the county, a
    township or a village in the user's reach), `CHUNK` households at a time in one transaction.
    Returns {"households", "in_plan", "measures"}."""
    if not user.can(Perm.MANAGE_ASSISTANCE_PLAN):
        raise PermissionDenied("您无权编制帮扶计划。")
    area = areas_visible_to(user).filter(code=str(area_code)).first()
    if area is None or area.level not in ("township", "village", "county"):
        raise NotFound("未找到该区域，或不在您的管辖范围内。", code="area_not_found", field="area")
    on = on or clock.today()
    households = households_visible_to(user).filter(
        village__code__startswith=area.code, closed_on__isnull=True
    )
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    params = parameter_set(area.code).on(on).fresh()
    version, digest = params.version, params.digest()
    in_plan_count, created = 0, 0
    entries: list[Entry] = []
    with transaction.atomic():
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            facts = area_facts(user, households.filter(pk__in=chunk), on)
            in_plan_count += len(facts)
            existing = set(
                Measure.objects.select_for_update()
                .filter(household_id__in=chunk, status__in=[*OPEN_STATUSES, MeasureStatus.DECLINED])
                .exclude(rule="")
                .values_list("household_id", "person_id", "kind", "rule")
            )
            made = Measure.objects.bulk_create(
                _new_measures(facts, params, on, user, version, digest, existing), batch_size=CHUNK
            )
            created += len(made)
            by_household: dict[int, list[int]] = defaultdict(list)
            for m in made:
                by_household[m.household_id].append(m.pk)
            entries += [
                Entry(
                    action="assistance.suggest",
                    object_type="household",
                    object_id=hid,
                    changes={
                        "on": on.isoformat(),
                        "measures": pks,
                        "area": area.code,
                        "parameters_version": version,
                    },
                )
                for hid, pks in sorted(by_household.items())
            ]
        record_audits(actor=Actor.of(user, client), entries=entries)
    return {"households": len(ids), "in_plan": in_plan_count, "measures": created}
