"""One chunk of the generated province: its households, people and memberships, the two register
assessments (a year ago and today, by the policy engine), the entitlement timeline that follows
from them, leads and cases with their transitions, as rows written in bulk (`core.bulk_insert`:
COPY on PostgreSQL, batched inserts on SQLite).

A chunk's rows take their primary keys from a block reserved for the chunk (`IdBlocks`), so chunks
are independent and run in parallel processes; `province.load_province` resets the sequences at
the end. Encrypted columns go through their field (Fernet) and every ID number gets its blind index,
as on the real path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from operator import itemgetter
from types import SimpleNamespace

import numpy as np
from django.db import transaction
from django.utils import timezone

from safetynet import policy
from safetynet.assessments.inputs import household_input
from safetynet.assessments.models import Assessment
from safetynet.cases.models import Case, CaseTransition, Lead
from safetynet.core.bulk_insert import insert_rows
from safetynet.core.resident_id import make_resident_id
from safetynet.demo.generate import _Gen
from safetynet.demo.load import person_fields
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.policy.trace import MEMBER_CATEGORIES
from safetynet.registry.fields import blind_index
from safetynet.registry.inputs import name_initials
from safetynet.registry.models import Household, Membership, Person

MAX_MEMBERS = 6  # the generator's largest household
ID_PARTS = 50  # chunks a county may have at most (each draws its own ID sequence numbers)
# Rows reserved per household in each table's id block (upper bounds of what a household gets).
PER_HOUSEHOLD = {
    Household: 1,
    Person: MAX_MEMBERS,
    Membership: MAX_MEMBERS,
    Assessment: 2,
    Entitlement: 2,
    EntitlementMember: 2 * MAX_MEMBERS,
    Case: 1,
    CaseTransition: 9,
    Lead: 1,
}
# Shares of households (seeded draws): a lead from the data comparison (some already merged into a
# case), an open case somewhere on its way, an admission during the year (an archived case).
LEAD_SHARE = 0.03
OPEN_CASE_SHARE = 0.02
ADMITTED_SHARE = 0.08
APPLICATION_PATH = [
    ("accept", "", "accepted"),
    ("start_investigation", "accepted", "investigation"),
    ("start_verification", "investigation", "verification"),
    ("complete_verification", "verification", "village_review"),
    ("village_review_passed", "village_review", "township_decision"),
    ("decide_with_notice", "township_decision", "notice"),
    ("close_notice", "notice", "county_filing"),
    ("county_file", "county_filing", "archived"),
]


@dataclass(frozen=True)
class Chunk:
    index: int  # global chunk number: its id block
    part: int  # the chunk's number within its county: its share of ID sequence numbers
    size: int  # households per chunk (the block's width), the same for every chunk
    county: str
    households: int  # households in this chunk (≤ size)
    villages: tuple[tuple[int, str, str], ...]  # (id, code, name)
    seed: int
    on: dt.date
    year_ago: dt.date
    runs: tuple[int, int]  # AssessmentRun ids: a year ago, today
    region: str  # whose parameters assess the register (the configured county's)
    id_base: dict  # model label → first id of the province's blocks


@cache
def _char_initials(char: str) -> str:
    return name_initials(char)


def _initials(name: str) -> str:
    """`name_initials` of a generated name, a character at a time: for the generator's surnames and
    given-name characters (`demo.generate`) the same as the whole name's (every name it can draw is
    checked in tests/demo/test_province_initials.py), without pypinyin's per-name cost."""
    return "".join(map(_char_initials, name))[:32]


class _Ids:
    def __init__(self, chunk: Chunk):
        self.next = {
            m: chunk.id_base[m._meta.label] + chunk.index * chunk.size * per
            for m, per in PER_HOUSEHOLD.items()
        }

    def take(self, model) -> int:
        n = self.next[model]
        self.next[model] = n + 1
        return n


def _columns(model, skip=()) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip]


def _defaults(model, now) -> dict:
    out = {}
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out[f.attname] = now
        else:
            out[f.attname] = f.get_default()  # "" for text without a default, else None
    return out


class _Table:
    """Rows of one model as dicts, completed with the fields' defaults and inserted in bulk."""

    def __init__(self, model, now):
        self.model, self.columns, self.rows = model, _columns(model), []
        self.defaults = _defaults(model, now)
        self._row = itemgetter(*self.columns)

    def add(self, **values) -> None:
        self.rows.append(self._row(self.defaults | values))

    def write(self) -> int:
        return insert_rows(self.model, self.columns, self.rows) if self.rows else 0


def _engine(params, parsed):
    return policy.assess_batch(policy.HouseholdTable.from_households(parsed), params)


class _FastGen(_Gen):
    """The demo generator with a cheaper draw from a list (cumulative weights, one uniform draw),
    which decides a household a few times faster than `Generator.choice`; the same distributions."""

    _cum: dict = {}

    def __init__(self, seed, today, county_code, part: int = 0):
        super().__init__(seed, today, county_code)
        self.part = part

    def resident_id(self, birth: dt.date, sex: str) -> str:
        """Unique in the county across its chunks: chunk `part` draws the sequence numbers (the
        15th–17th digits, 500 a sex and birth date) congruent to it modulo `ID_PARTS`, the same
        whatever the county's size (so a small province is the start of a larger one)."""
        while True:
            seq = (int(self.rng.integers(0, 500 // ID_PARTS)) * ID_PARTS + self.part) * 2 + (
                1 if sex == "M" else 0
            )
            number = make_resident_id(self.county_code, birth, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def choice(self, items, p=None):
        if p is None:
            return items[int(self.rng.integers(len(items)))]
        key = tuple(p)
        cum = self._cum.get(key)
        if cum is None:
            cum = self._cum[key] = np.cumsum(p) / np.sum(p)
        return items[min(int(np.searchsorted(cum, self.rng.random(), side="right")), len(items) - 1)]


def _record(defaults: dict, **values) -> SimpleNamespace:
    """A row as a plain object with the model's attributes (what `household_input` reads), without
    the cost of a model instance."""
    row = defaults | values
    return SimpleNamespace(pk=row["id"], **row)


def generate_chunk(chunk: Chunk, params_year_ago, params_now) -> dict:
    """Write one chunk in one transaction; return its row counts."""
    now = timezone.now()
    gen = _FastGen(chunk.seed, chunk.on, chunk.county, chunk.part)
    rng, ids = gen.rng, _Ids(chunk)
    t = {m: _Table(m, now) for m in PER_HOUSEHOLD}
    villages = [SimpleNamespace(id=v, code=code, name=name) for v, code, name in chunk.villages]
    numbers: dict[int, int] = {}
    households, members_of = [], []
    for _ in range(chunk.households):
        village = villages[int(rng.integers(len(villages)))]
        numbers[village.id] = numbers.get(village.id, 0) + 1
        spec = gen.household(village, numbers[village.id] + chunk.index * chunk.size)
        hh = _record(
            t[Household].defaults,
            id=ids.take(Household),
            village=village,
            village_id=village.id,
            address=spec.address,
            hukou=spec.hukou,
            alleviated=spec.alleviated,
            financial_assets=spec.financial_assets,
            vehicles=spec.vehicles,
            homes=spec.homes,
            rigid_medical_12m=spec.rigid_medical_12m,
            rigid_education_12m=spec.rigid_education_12m,
            supporters=spec.supporters,
            risk_events=spec.risk_events,
        )
        members = []
        for m in spec.members:
            p = _record(
                t[Person].defaults,
                id=ids.take(Person),
                **person_fields(m, _initials),
            )
            ms = _record(
                t[Membership].defaults,
                id=ids.take(Membership),
                household_id=hh.id,
                village_id=hh.village_id,
                person_id=p.id,
                name_initials=p.name_initials,
                relation=m.relation,
                co_resident=m.co_resident,
                not_counted_reason=m.not_counted_reason,
                counted=not m.not_counted_reason,
                joined_on=chunk.year_ago,
            )
            ms.person = p
            members.append(ms)
            if m.relation == "head":
                hh.head_id = p.id
        households.append(hh)
        members_of.append(members)
        t[Household].add(**vars(hh))
        for ms in members:
            t[Person].add(**vars(ms.person))
            t[Membership].add(**vars(ms))

    inputs = [household_input(hh, ms) for hh, ms in zip(households, members_of, strict=True)]
    # A year ago, without the members born since.
    members_then = [[m for m in ms if m.person.birth_date <= chunk.year_ago] for ms in members_of]
    # The same input unless a member was born during the year (the input does not depend on the day).
    inputs_then = [
        data if len(then) == len(ms) else household_input(hh, then)
        for hh, then, ms, data in zip(households, members_then, members_of, inputs, strict=True)
    ]
    parsed = [policy.parse_household(data, on=chunk.on) for data in inputs]
    # The parsed household depends on the day only through the birth-date check: parsed once unless
    # a member was born during the year.
    parsed_then = [
        p if len(then) == len(now) else policy.parse_household(data, on=chunk.year_ago)
        for p, then, now, data in zip(parsed, members_then, members_of, inputs_then, strict=True)
    ]
    before = _engine(params_year_ago, parsed_then)
    result = _engine(params_now, parsed)
    _history(
        chunk, t, ids, rng, households, (members_then, members_of), (inputs_then, inputs), before, result
    )
    with transaction.atomic():
        return {m._meta.label: t[m].write() for m in PER_HOUSEHOLD}


def _terms(result, i: int, first_member: int, members) -> dict:
    c = result.columns
    row = result.household_row(i)
    parts = []
    for k in range(len(members)):
        j = first_member + k
        own = MEMBER_CATEGORIES[int(c["member_category"][j])]
        if c["member_counted"][j] or own:
            parts.append(
                (members[k].person.id, own or row["category"], Decimal(int(c["member_benefit_monthly"][j])))
            )
    return {"row": row, "members": parts}


def _history(chunk, t, ids, rng, households, members, inputs, before, result) -> None:
    """Assessments (a year ago, today), the entitlement timeline, leads and cases."""
    year_ago, on = chunk.year_ago, chunk.on
    first_then = first_now = 0
    for i, hh in enumerate(households):
        then_members, now_members = members[0][i], members[1][i]
        now_terms = _terms(result, i, first_now, now_members)
        then_terms = _terms(before, i, first_then, then_members)
        first_now += len(now_members)
        first_then += len(then_members)
        row = now_terms["row"]
        admitted = rng.random() < ADMITTED_SHARE
        for run, res, day, terms, data in (
            (chunk.runs[0], before, year_ago, then_terms, inputs[0][i]),
            (chunk.runs[1], result, on, now_terms, inputs[1][i]),
        ):
            if run == chunk.runs[0] and admitted:
                continue  # applied during the year: no assessment a year ago
            r = terms["row"]
            t[Assessment].add(
                id=ids.take(Assessment),
                household_id=hh.id,
                run_id=run,
                assessed_on=day,
                category=r["category"],
                monitoring_type=r["monitoring"]["type"] or "",
                family_size=r["family_size"],
                per_capita_monthly_income=r["per_capita_monthly_income"],
                benefit_monthly=r["benefit_monthly"],
                refer_other_low_income=r["refer_other_low_income"],
                inputs=data,
                result=policy.jsonable(r),
                unverified_parameters=res.unverified_parameters,
                parameters_version=res.parameters_version,
                parameters_digest=res.parameters_digest,
                rule_set_version=res.rule_set_version,
            )
        entitled = row["category"] != "none" or row["monitoring"]["marked"]
        case_id = None
        if entitled and admitted:
            case_id = _case(t, ids, rng, hh, now_members, chunk, state="archived")
            day = on - dt.timedelta(days=int(rng.integers(20, 330)))
            _entitlement(t, ids, hh, now_terms, day, None, "admission", case_id, None, chunk)
        elif entitled:
            then = then_terms["row"]
            same = (then["category"], then["benefit_monthly"], then["monitoring"]["type"]) == (
                row["category"],
                row["benefit_monthly"],
                row["monitoring"]["type"],
            )
            if same or then["category"] == "none" and not then["monitoring"]["marked"]:
                _entitlement(t, ids, hh, now_terms, year_ago, None, "migrated", None, None, chunk)
            else:  # the standard changed during the year (提标): the row closes, the next opens
                change = max(dt.date(on.year, 1, 1), year_ago + dt.timedelta(days=1))
                if change >= on:
                    change = on - dt.timedelta(days=1)
                first_row = _entitlement(
                    t, ids, hh, then_terms, year_ago, change, "migrated", None, None, chunk
                )
                _entitlement(t, ids, hh, now_terms, change, None, "standard", None, first_row, chunk)
        # The first household of a chunk has an open case and a new lead, and the second a lead, so
        # that the township the load test opens has both however small the province.
        if not admitted and (i == 0 or rng.random() < OPEN_CASE_SHARE):
            states = [
                "accepted",
                "investigation",
                "verification",
                "village_review",
                "township_decision",
                "notice",
            ]
            case_id = _case(t, ids, rng, hh, now_members, chunk, state=states[int(rng.integers(len(states)))])
        if i <= 1 or rng.random() < LEAD_SHARE:
            merged = case_id if case_id and not admitted and i > 0 else None
            _lead(t, ids, rng, hh, now_members, chunk, merged)


def _entitlement(t, ids, hh, terms, start, until, basis, case_id, previous, chunk) -> int:
    r = terms["row"]
    pk = ids.take(Entitlement)
    review_due = dt.date(start.year + 1, start.month, min(start.day, 28)) if until is None else None
    t[Entitlement].add(
        id=pk,
        household_id=hh.id,
        village_id=hh.village_id,
        valid_from=start,
        valid_until=until,
        category=r["category"],
        monitoring_marked=r["monitoring"]["marked"],
        monitoring_type=r["monitoring"]["type"] or "",
        benefit_monthly=Decimal(r["benefit_monthly"]).quantize(Decimal("0.01")),
        people=len(terms["members"]),
        basis=basis,
        end_basis="standard" if until else "",
        case_id=case_id,
        decided_on=start,
        parameters_version="",
        review_due=review_due,
        reason="省级演示数据（虚构）",
        previous_id=previous,
    )
    for person_id, category, amount in terms["members"]:
        t[EntitlementMember].add(
            id=ids.take(EntitlementMember),
            entitlement_id=pk,
            person_id=person_id,
            category=category,
            benefit_monthly=amount.quantize(Decimal("0.01")),
        )
    return pk


def _case(t, ids, rng, hh, members, chunk, *, state: str) -> int:
    pk = ids.take(Case)
    steps = next(i for i, s in enumerate(APPLICATION_PATH) if s[2] == state) + 1
    accepted = chunk.on - dt.timedelta(days=int(rng.integers(5, 40 if state != "archived" else 330)))
    head = next((m.person for m in members if m.relation == "head"), members[0].person)
    t[Case].add(
        id=pk,
        reference=f"PV{chunk.county[-3:]}-C-{accepted.year}-{pk:08d}",
        kind="application",
        household_id=hh.id,
        village_id=hh.village_id,
        state=state,
        accepted_on=accepted,
        deadline=accepted + dt.timedelta(days=42),
        state_changed_at=timezone.now(),
        closed_on=accepted + dt.timedelta(days=35) if state == "archived" else None,
        applicant_name=head.name,
        applicant_phone=head.phone,
        summary="申请最低生活保障（省级演示数据，虚构）",
    )
    for k, (name, src, dst) in enumerate(APPLICATION_PATH[:steps]):
        t[CaseTransition].add(
            id=ids.take(CaseTransition),
            case_id=pk,
            name=name,
            from_state=src,
            to_state=dst,
            round=1,
            actor_id=None,
            actor_name="system",
            actor_role="system",
            on=accepted + dt.timedelta(days=4 * k),
            reason="受理" if name == "accept" else "",
            record={},
        )
    return pk


def _lead(t, ids, rng, hh, members, chunk, case_id) -> None:
    pk = ids.take(Lead)
    m = members[int(rng.integers(len(members)))].person
    t[Lead].add(
        id=pk,
        reference=f"PV{chunk.county[-3:]}-L-{chunk.on.year}-{pk:08d}",
        channel="data_comparison",
        village_id=hh.village.id,
        household_id=hh.id,
        person_id=m.id,
        subject_name=m.name,
        subject_id_number=m.id_number,
        subject_id_index=blind_index(m.id_number),
        summary="大数据比对：车辆登记信息与申报不符（省级演示数据，虚构）",
        rule="vehicle",
        department="public_security",
        evidence={"synthetic": True},
        status="in_case" if case_id else "new",
        case_id=case_id,
    )
