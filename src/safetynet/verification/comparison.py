"""The register-wide comparison (大数据比对) and the life of its runs.

`run_comparison(...)` runs every rule (`verification.rules`) over the register snapshot and the
current department records (`verification.current`: one record per identity, the one sent last)
and returns its hits, each a `Hit` carrying everything a lead needs (rule, village, household or
person, the resident named by the department, the evidence and the de-duplication key
rule + id_index + data period). It files nothing itself: a caller that wants leads passes
`file_hit`, called once per hit and answering whether it filed a new lead (the `compare` command
and the huey jobs pass the cases app's lead intake; see `cases.comparison`).

A run records where it runs (host, pid) and works in a locked workspace (`storage.workspace`). A
run whose process died stays `running` until `mark_interrupted_runs()` — called when the next run
starts, and by the `compare` command — marks it `interrupted`: on its own host when its workspace
lock is free, anywhere once it has been running longer than `COMPARISON_STALE_SECONDS`. Rerunning
completes the work; leads already filed are found by their de-duplication key, never raised twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from safetynet.audit.services import SYSTEM, Actor, record_audit
from safetynet.core.areas import configured_county
from safetynet.core.errors import ValidationFailed
from safetynet.registry.fields import blind_index
from safetynet.verification import storage
from safetynet.verification.current import current_sql
from safetynet.verification.keys import KEY_TYPE, index_key
from safetynet.verification.models import ComparisonRun, Upload
from safetynet.verification.selectors import run_is_interrupted
from safetynet.verification.services import current_uploads, sealer_for
from safetynet.verification.sources import SOURCES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """One finding of one rule, with what filing it as a lead needs."""

    rule: str
    channel: str
    village: object  # registry Area (village)
    summary: str
    evidence: dict
    dedup_key: str
    department: str
    id_index: str
    household: object | None = None  # registry Household, None for a resident outside the register
    person: object | None = None  # registry Person
    subject_name: str = ""  # for a resident outside the register, as the department names them
    subject_id_number: str = ""


@dataclass
class ComparisonOutcome:
    run: ComparisonRun
    hits: list[Hit] = field(default_factory=list)


# ---- the life of a run ------------------------------------------------------------------------


def mark_interrupted_runs(*, actor: Actor = SYSTEM) -> list[int]:
    """Mark every run left `running` by a process that is gone (or stale) as interrupted, audited."""
    marked = []
    for run in ComparisonRun.objects.filter(status=ComparisonRun.Status.RUNNING):
        if not run_is_interrupted(run):
            continue
        with transaction.atomic():
            updated = ComparisonRun.objects.filter(pk=run.pk, status=ComparisonRun.Status.RUNNING).update(
                status=ComparisonRun.Status.INTERRUPTED,
                message="比对进程已退出，运行未完成；重新运行比对即可补齐（不会重复生成线索）。",
            )
            if updated:
                record_audit(
                    actor=actor,
                    action="exchange.compare_interrupted",
                    object_type="comparison_run",
                    object_id=run.pk,
                    changes={"status": ["running", "interrupted"], "host": run.host, "pid": run.pid},
                )
                marked.append(run.pk)
    return marked


# ---- the comparison ---------------------------------------------------------------------------


def rule_params(on: dt.date, region: str | None = None):
    """The rules' parameters in force on `on`: the county's store with the officer-entered values."""
    from safetynet.assessments.services import parameter_set
    from safetynet.verification.rules import RuleParams

    return RuleParams.of(parameter_set(region or configured_county()).on(on))


def _engine(name: str, tmp: Path):
    from safetynet.verification.engine import Engine

    if name == "spark":
        return Engine.spark()
    if name != "duckdb":
        raise ValidationFailed(f"比对引擎“{name}”不存在，应为 duckdb 或 spark。", field="engine")
    return Engine.duckdb(memory_limit=storage.memory_limit(), temp_dir=tmp / "duckdb-spill")


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _subjects(code: str, uploads: list[Upload], keys: set[bytes]) -> dict[bytes, tuple[str, str]]:
    """Resident ID and name of residents outside the register, unsealed from their current records."""
    if not keys or not uploads:
        return {}
    by_sha = {u.sha256: u for u in uploads}
    con = duckdb.connect()
    try:
        con.register("wanted", pa.table({"id_index": pa.array(sorted(keys), KEY_TYPE)}))
        query = current_sql(SOURCES[code], len(uploads), where="id_index IN (SELECT id_index FROM wanted)")
        rows = con.execute(
            f"SELECT id_index, arg_max(upload_sha, _part), arg_max(subject, _part) FROM ({query}) "
            "GROUP BY id_index",
            [str(storage.absolute(u.data_path)) for u in uploads],
        ).fetchall()
    finally:
        con.close()
    out = {}
    for key, sha, token in rows:
        number, _, name = sealer_for(by_sha[sha]).open(bytes(token)).partition("\t")
        out[bytes(key)] = (number, name)
    return out


def _register_people(households) -> dict[bytes, object]:
    """{file key: Person} of the members and heads of these households (one query)."""
    from django.db.models import Q

    from safetynet.registry.models import Person

    ids = [h.pk for h in households]
    heads = [h.head_id for h in households if h.head_id]
    people = Person.objects.filter(Q(memberships__household_id__in=ids) | Q(pk__in=heads)).distinct()
    return {index_key(p.id_index): p for p in people}


def _hits_of(rule, rows, run, period, uploads, villages) -> tuple[list[Hit], int]:
    """The rule's result rows as hits; rows that cannot be placed in a village are counted.

    A row names its subject by the 16-byte file key; the hit names them by the database's blind
    index (`Person.id_index`, or the index of the ID the department sent for a resident outside
    the register), so de-duplication keys stay those of every earlier run."""
    from safetynet.registry.models import Household

    source_label = SOURCES[rule.sources[0]].label if rule.sources else "名册"
    department = SOURCES[rule.sources[0]].department if rule.sources else ""
    outside = {bytes(h["id_index"]) for h in rows if h.get("household_id") is None}
    subjects = _subjects(rule.sources[0], uploads.get(rule.sources[0], []), outside) if rule.sources else {}
    households = Household.objects.select_related("village").in_bulk(
        {h["household_id"] for h in rows if h.get("household_id")}
    )
    persons = _register_people(households.values())
    hits, unplaced = [], 0
    for row in rows:
        key = bytes(row["id_index"])
        evidence = {c: _plain(row.get(c)) for c in rule.evidence}
        household = households.get(row.get("household_id"))
        village = household.village if household else villages.get(row.get("village_code") or "")
        if village is None:
            unplaced += 1
            continue
        number, name = ("", "") if household else subjects.get(key, ("", ""))
        person = persons.get(key) if household else None
        index = person.id_index if person else blind_index(number) if number else key.hex()
        text = rule.lead.format(**{k: ("—" if v is None else v) for k, v in evidence.items()})
        hits.append(
            Hit(
                rule=rule.code,
                channel=rule.channel,
                village=village,
                summary=f"【{rule.label}】{text}",
                evidence={
                    "rule": rule.code,
                    "label": rule.label,
                    "basis": rule.basis,
                    "source": source_label,
                    "period": period,
                    "comparison_run": run.pk,
                    **evidence,
                },
                dedup_key=f"{rule.code}:{index}:{period}",
                department=department or source_label,
                id_index=index,
                household=household,
                person=person,
                subject_name=name,
                subject_id_number=number,
            )
        )
    return hits, unplaced


def run_comparison(
    *,
    actor: Actor = SYSTEM,
    engine: str = "duckdb",
    on: dt.date | None = None,
    rules: tuple[str, ...] | None = None,
    trigger: str = "command",
    progress=None,
    file_hit: Callable[[Hit], bool] | None = None,
) -> ComparisonOutcome:
    """Run the rules over the whole register against the current department records; return the
    hits, each filed through `file_hit` (if given) as it is found.

    `progress`, if given, is called as `progress(stage, done, total, label)`."""
    from safetynet.registry.models import Area
    from safetynet.verification.rules import RULES
    from safetynet.verification.snapshot import export_register

    mark_interrupted_runs(actor=actor)
    started = time.monotonic()
    on = on or timezone.localdate()
    selected = tuple(r for r in RULES if rules is None or r.code in rules)
    uploads = current_uploads()
    periods = {code: ups[0].period for code, ups in uploads.items()}
    outcome = ComparisonOutcome(
        ComparisonRun(
            engine=engine, trigger=trigger[:40], periods=periods, host=socket.gethostname(), pid=os.getpid()
        )
    )
    run = outcome.run
    summary: dict[str, dict] = {}
    total_raised = 0
    try:
        with storage.workspace("run") as work:
            run.workspace = storage.relative(work)
            run.save()
            snapshot = work / "register.parquet"
            export_register(snapshot, on=on)
            eng = _engine(engine, work)
            try:
                eng.load(
                    snapshot,
                    {code: [storage.absolute(u.data_path) for u in ups] for code, ups in uploads.items()},
                    empty_dir=storage.sub("snapshots"),
                )
                params = rule_params(on)
                run.parameters = params.record()
                run.save(update_fields=["parameters"])
                villages = {a.code: a for a in Area.objects.filter(level=Area.Level.VILLAGE)}
                for i, rule in enumerate(selected):
                    if progress:
                        progress("rule", i, len(selected), rule.label)
                    if not eng.runnable(rule):
                        summary[rule.code] = {"skipped": "no_data"}
                        continue
                    period = periods.get(rule.sources[0], "") if rule.sources else "register"
                    rows = eng.run_rule(rule, params).to_pylist()
                    hits, unplaced = _hits_of(rule, rows, run, period, uploads, villages)
                    raised = existing = 0
                    for j, hit in enumerate(hits):
                        if progress and j % 200 == 0:
                            progress("lead", j, len(hits), rule.label)
                        if file_hit is not None:
                            created = bool(file_hit(hit))
                            raised += created
                            existing += not created
                    outcome.hits.extend(hits)
                    total_raised += raised
                    summary[rule.code] = {
                        "hits": len(rows),
                        "raised": raised,
                        "existing": existing,
                        "unplaced": unplaced,
                        "period": period,
                    }
            finally:
                eng.close()
        if progress:
            progress("rule", len(selected), len(selected), "完成")
    except BaseException as e:
        ComparisonRun.objects.filter(pk=run.pk).update(
            status=ComparisonRun.Status.FAILED,
            finished_at=timezone.now(),
            summary=summary,
            leads_raised=total_raised,
            message=f"比对出错中止：{type(e).__name__}"[:500],
        )
        raise
    with transaction.atomic():
        run.status = ComparisonRun.Status.FINISHED
        run.finished_at = timezone.now()
        run.summary = summary
        run.leads_raised = total_raised
        run.seconds = round(time.monotonic() - started, 3)
        run.save()
        record_audit(
            actor=actor,
            action="exchange.compare",
            object_type="comparison_run",
            object_id=run.pk,
            changes={
                "engine": engine,
                "leads_raised": total_raised,
                "periods": periods,
                "parameters": {k: run.parameters.get(k, "") for k in ("version", "digest")},
            },
        )
    return outcome
