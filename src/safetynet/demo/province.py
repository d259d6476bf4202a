"""A generated province in the database, for load tests at scale (`safetynet demo_province`).

Twelve counties by default: the configured county with its shipped townships and the demo's
accounts, and eleven synthetic ones (flagged `synthetic`, codes under the configured county's
city) with ten townships each; 700,000 households over them with about 2,000,000 people,
drawn by the demo generator (`demo.generate`). Every household is assessed by the policy engine
twice (a year ago and today, under the configured county's parameters), and its entitlement
timeline follows from those results: a row from a year ago, closed and followed by the next where
the standard changed during the year, or an admission during the year with its archived case.
Leads and open cases come on top (`province_rows`).

The work is split into chunks of households written in bulk (COPY on PostgreSQL, batched inserts
on SQLite), each in its own transaction with ids from its own block; on PostgreSQL the chunks run
in one process per core. The database must hold no households: a load that stops half-way is
redone into a fresh database.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.core.management.color import no_style
from django.db import connection, connections, transaction

from safetynet.assessments.models import AssessmentRun
from safetynet.assessments.services import parameter_set
from safetynet.audit.services import SYSTEM, record_audit
from safetynet.core.areas import county_data
from safetynet.core.clock import today
from safetynet.demo.generate import VILLAGE_PREFIX, VILLAGE_STEMS
from safetynet.demo.province_rows import ID_PARTS, PER_HOUSEHOLD, Chunk, generate_chunk
from safetynet.demo.set_aside import indexes_built_after
from safetynet.registry.models import Area, Household

PROVINCE_HOUSEHOLDS = 700_000
PROVINCE_COUNTIES = 12
CHUNK_HOUSEHOLDS = 4000
TOWNSHIP_NAMES = list("东西南北中上下前后大小新老高石金")
TOWNSHIP_STEMS = ["河", "山", "峰", "泉", "川", "原", "坪", "关", "岭", "峪"]


def _synthetic_county(code: str, index: int, rng) -> dict:
    names: list[str] = []
    while len(names) < 10:
        name = (
            TOWNSHIP_NAMES[int(rng.integers(len(TOWNSHIP_NAMES)))]
            + TOWNSHIP_STEMS[int(rng.integers(len(TOWNSHIP_STEMS)))]
        )
        if name not in names:
            names.append(name)
    return {
        "county": {"code": code, "name": f"演示{index}县", "pinyin": f"yanshi{index}"},
        "townships": [
            {"code": f"{code}{100 + j:03d}", "name": f"{n}镇", "pinyin": f"yanshi{index}_{j}"}
            for j, n in enumerate(names)
        ],
    }


def province_counties(configured: str, counties: int, rng) -> list[dict]:
    """The configured county's shipped data, then synthetic counties numbered under its city
    (codes from 50 up, away from the real counties' 01–34 and cities' 81–82)."""
    out = [county_data(configured)]
    for i in range(1, counties):
        out.append(_synthetic_county(f"{configured[:4]}{50 + i:02d}", i, rng))
    return out


def _load_areas(counties: list[dict], rng) -> dict[str, list[tuple[int, str, str]]]:
    """Province, city, counties, townships and villages (8–14 per township, synthetic); returns
    each county's villages as (id, code, name)."""
    from safetynet.registry.areas import load_county

    load_county(counties[0]["county"]["code"])
    city = Area.objects.get(code=counties[0]["county"]["code"][:4])
    for c in counties[1:]:
        county = Area.objects.create(
            code=c["county"]["code"],
            name=c["county"]["name"],
            level=Area.Level.COUNTY,
            parent=city,
            pinyin=c["county"]["pinyin"],
            synthetic=True,
            code_assumed=True,
        )
        Area.objects.bulk_create(
            Area(
                code=t["code"],
                name=t["name"],
                level=Area.Level.TOWNSHIP,
                parent=county,
                pinyin=t["pinyin"],
                synthetic=True,
                code_assumed=True,
            )
            for t in c["townships"]
        )
    townships = {a.code: a for a in Area.objects.filter(level=Area.Level.TOWNSHIP)}
    villages = []
    for c in counties:
        for t in c["townships"]:
            names: set[str] = set()
            count = int(rng.integers(8, 15))
            while len(names) < count:
                names.add(
                    VILLAGE_PREFIX[int(rng.integers(len(VILLAGE_PREFIX)))]
                    + VILLAGE_STEMS[int(rng.integers(len(VILLAGE_STEMS)))]
                    + "村"
                )
            villages += [
                Area(
                    code=f"{t['code']}{200 + i + 1:03d}",
                    name=name,
                    level=Area.Level.VILLAGE,
                    parent=townships[t["code"]],
                    synthetic=True,
                    code_assumed=True,
                )
                for i, name in enumerate(sorted(names))
            ]
    Area.objects.bulk_create(villages)
    out: dict[str, list] = {}
    for v in Area.objects.filter(level=Area.Level.VILLAGE).order_by("code"):
        out.setdefault(v.code[:6], []).append((v.id, v.code, v.name))
    return out


def _id_bases() -> dict[str, int]:
    """The first id of every table's blocks: after the rows already there."""
    from django.db.models import Max

    return {m._meta.label: (m.objects.aggregate(n=Max("id"))["n"] or 0) + 1 for m in PER_HOUSEHOLD}


def _reset_sequences() -> None:
    sql = connection.ops.sequence_reset_sql(no_style(), list(PER_HOUSEHOLD))
    if sql:
        with connection.cursor() as cur:
            for statement in sql:
                cur.execute(statement)


_PARAMS: dict = {}


def _run_chunk(chunk: Chunk) -> tuple[int, dict]:
    key = (chunk.region, chunk.year_ago, chunk.on)
    if key not in _PARAMS:
        params = parameter_set(chunk.region)
        _PARAMS[key] = (params.on(chunk.year_ago), params.on(chunk.on))
    counts = generate_chunk(chunk, *_PARAMS[key])
    return chunk.households, counts


def _worker_init() -> None:
    connections.close_all()  # a forked child opens its own connection


def load_province(
    *,
    households: int = PROVINCE_HOUSEHOLDS,
    counties: int = PROVINCE_COUNTIES,
    seed: int = 20261204,
    on: dt.date | None = None,
    workers: int | None = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Generate and write the province; returns the row counts. `workers` defaults to the cores on
    PostgreSQL and to 1 on SQLite (one writer); with 1 everything runs in this process and
    connection (the tests' transaction included)."""
    import numpy as np

    from safetynet.demo.load import _assign_liaison_sources, _create_accounts

    if Household.objects.exists():
        raise RuntimeError("省级演示数据只能载入没有住户的空数据库。")
    on = on or today()
    year_ago = on - dt.timedelta(days=365)
    rng = np.random.default_rng(seed)
    specs = province_counties(_configured(), counties, rng)
    with transaction.atomic():
        villages = _load_areas(specs, rng)
        _create_accounts(specs[0]["county"]["code"])
        _assign_liaison_sources()
        region = specs[0]["county"]["code"]
        params_version = parameter_set(region).on(on).version
        runs = {}
        for c in specs:
            code = c["county"]["code"]
            runs[code] = tuple(
                AssessmentRun.objects.create(
                    assessed_on=day,
                    region=code,
                    source="database",
                    households=0,
                    parameters_version=params_version,
                    parameters_digest="",
                    rule_set_version="",
                ).id
                for day in (year_ago, on)
            )
        bases = _id_bases()
    per_county = [households // counties + (1 if i < households % counties else 0) for i in range(counties)]
    chunks, index = [], 0
    for c, n in zip(specs, per_county, strict=True):
        code = c["county"]["code"]
        if -(-n // chunk_households) > ID_PARTS:
            raise ValueError(f"每县最多{ID_PARTS}批（身份证号顺序码按批分配）：请增大每批住户数。")
        for part, start in enumerate(range(0, n, chunk_households)):
            chunks.append(
                Chunk(
                    index=index,
                    part=part,
                    size=chunk_households,
                    county=code,
                    households=min(chunk_households, n - start),
                    villages=tuple(villages[code]),
                    seed=seed * 1000 + index,
                    on=on,
                    year_ago=year_ago,
                    runs=runs[code],
                    region=region,
                    id_base=bases,
                )
            )
            index += 1
    if workers is None:
        workers = (os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
    with indexes_built_after(PER_HOUSEHOLD):
        counts = _write_chunks(chunks, workers, households, progress)
    with transaction.atomic():
        _reset_sequences()
        _finish_runs(runs)
        summary = {"counties": counties, "villages": sum(len(v) for v in villages.values()), **_short(counts)}
        record_audit(
            actor=SYSTEM,
            action="demo.load_province",
            object_type="province",
            object_id=region[:2],
            changes=summary,
            reason="省级演示数据（虚构）",
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return summary


def _write_chunks(chunks: list[Chunk], workers: int, households: int, progress) -> Counter:
    """Generate and write the chunks, in `workers` processes (each with its own connection) or,
    with one, here; the row counts."""
    counts: Counter = Counter()
    done = 0
    if workers <= 1:
        for chunk in chunks:
            n, c = _run_chunk(chunk)
            counts.update(c)
            done += n
            if progress:
                progress(done, households)
        return counts
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
        try:
            for fut in as_completed([pool.submit(_run_chunk, chunk) for chunk in chunks]):
                n, c = fut.result()
                counts.update(c)
                done += n
                if progress:
                    progress(done, households)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # a failed chunk stops the load
            raise
    return counts


def _configured() -> str:
    from safetynet.core.areas import configured_county

    return configured_county()


def _finish_runs(runs: dict) -> None:
    from django.db.models import Count
    from django.utils import timezone

    for run_id, n in (
        AssessmentRun.objects.filter(id__in=[r for pair in runs.values() for r in pair])
        .annotate(n=Count("assessments"))
        .values_list("id", "n")
    ):
        AssessmentRun.objects.filter(id=run_id).update(households=n, finished_at=timezone.now())


def _short(counts: Counter) -> dict:
    names = {
        "registry.Household": "households",
        "registry.Person": "persons",
        "registry.Membership": "memberships",
        "assessments.Assessment": "assessments",
        "entitlements.Entitlement": "entitlements",
        "entitlements.EntitlementMember": "entitlement_members",
        "cases.Case": "cases",
        "cases.CaseTransition": "case_transitions",
        "cases.Lead": "leads",
    }
    return {names[k]: v for k, v in counts.items()}


def bench_targets() -> dict | None:
    """What the load test's pages open (bench/web.py, and the query-count guards): the configured
    county's first open case, its household and township (else the first township's first
    household), the head's name, ID number and pinyin initials. The same in a small province and
    in a larger one generated from the same seed, whose first chunk it shares."""
    from safetynet.cases.models import OPEN_STATES, Case

    case = (
        Case.objects.filter(state__in=OPEN_STATES, village__code__startswith=_configured())
        .select_related("household__village__parent")
        .order_by("id")
        .first()
    )
    if case is not None:
        township = case.household.village.parent
    else:
        township = (
            Area.objects.filter(level=Area.Level.TOWNSHIP, parent__code=_configured())
            .order_by("code")
            .first()
        )
        if township is None or not Household.objects.filter(village__parent=township).exists():
            return None
    household = case.household if case else Household.objects.filter(village__parent=township).first()
    head = household.head
    return {
        "township": township.code,
        "pinyin": township.pinyin,
        "household": household.pk,
        "case": case.pk if case else 0,
        "name": head.name,
        "id_number": head.id_number,
        "initials": head.name_initials,
    }
