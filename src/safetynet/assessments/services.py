"""Assessments in the Django shell: parameters with officer-entered values, single assessments
stored with their inputs, and whole-register runs.

The rules and the parameter logic live in the framework-free `safetynet.policy`; this module
only feeds them stored facts and stores what they decide.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.utils import timezone

from safetynet import policy
from safetynet.accounts.roles import Perm
from safetynet.assessments.inputs import household_input, with_current_members
from safetynet.assessments.models import Assessment, AssessmentRun, ParameterEntry
from safetynet.audit.services import SYSTEM, Actor, record_audit
from safetynet.core.areas import configured_county
from safetynet.core.errors import PermissionDenied, SafetynetError, ValidationFailed
from safetynet.core.statements import Statement
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.models import Household


def parameter_set(region: str, *, entered_until: dt.datetime | None = None) -> policy.ParameterSet:
    """The county's shipped parameters with the officer-entered values appended, in entry order
    (only those entered by `entered_until`, to replay the parameters of a past decision)."""
    county = policy.params.county_code(region)
    return policy.load_parameters(county, _entries(county, entered_until))


# The county's entries, read by every page that shows a deadline: the SQL written once a process.
_ENTRIES = Statement(lambda region: ParameterEntry.objects.filter(region=region).order_by("id"), "\0region")


def _entries(county: str, entered_until: dt.datetime | None = None) -> list[dict]:
    if entered_until is None:
        rows = _ENTRIES(county)
    else:
        rows = ParameterEntry.objects.filter(region=county, entered_at__lte=entered_until).order_by("id")
    return [e.as_policy_entry() for e in rows]


def _stored(value):
    """A parameter value as JSON: Decimal as its exact string, a date as ISO, an int as is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def add_parameter_value(
    *,
    user,
    region: str,
    name: str,
    value,
    effective_from: dt.date,
    reference: str,
    verified: bool,
    note: str = "",
    client: str = "",
) -> ParameterEntry:
    """A new dated value: never an edit in place. The history keeps every earlier value."""
    if not user.can(Perm.MANAGE_PARAMETERS):
        raise PermissionDenied("您的角色无权调整救助参数。")
    county = policy.params.county_code(region)
    if not user.area_id or not county.startswith(user.area.code[:6]) or len(user.area.code) > 6:
        raise PermissionDenied("只能调整本县的参数。")
    entry = {
        "name": name,
        "value": value,
        "effective_from": effective_from,
        "reference": reference,
        "verified": bool(verified),
        "note": note,
    }
    current = parameter_set(county)
    checked = current.with_entry(entry)  # raises ParameterError naming the field when invalid
    stored_value = checked.history(name)[-1].value
    with transaction.atomic():
        row = ParameterEntry.objects.create(
            region=county,
            name=name,
            value=_stored(stored_value),
            effective_from=effective_from,
            reference=reference.strip(),
            verified=bool(verified),
            note=note,
            entered_by=user,
        )
        previous = current.on(effective_from).entries.get(name)
        record_audit(
            actor=Actor.of(user, client),
            action="parameter.add",
            object_type="parameter",
            object_id=name,
            changes={
                "value": [_stored(previous.value) if previous else None, row.value],
                "effective_from": [None, effective_from.isoformat()],
                "verified": [None, row.verified],
            },
            reason=reference,
        )
    return row


def officer_entries(region: str) -> list[dict]:
    """Officer-entered values of the region's county, in entry order ([] before the first migrate)."""
    if not (isinstance(region, str) and region.isdigit() and len(region) in (6, 9, 12)):
        return []  # parse_household reports the bad region with its field
    try:
        return _entries(region[:6])
    except DatabaseError:
        return []


def assess_payload(data, *, on: dt.date | None = None, trace: bool = True) -> dict:
    """The JSON contract in and out (CLI and API), with the county's officer-entered values applied."""
    region = data.get("region") if isinstance(data, dict) else None
    return policy.assess_json(
        data, on or timezone.localdate(), extra_entries=officer_entries(region), trace=trace
    )


def _store_fields(result: dict) -> dict:
    return {
        "category": result["category"],
        "monitoring_type": result["monitoring"]["type"] or "",
        "family_size": result["family_size"],
        "per_capita_monthly_income": Decimal(str(result["per_capita_monthly_income"])),
        "benefit_monthly": Decimal(str(result["benefit_monthly"])),
        "refer_other_low_income": result["refer_other_low_income"],
    }


def assess_household(
    *,
    user,
    household_id,
    on: dt.date | None = None,
    inputs: dict | None = None,
    verification: dict | None = None,
    client: str = "",
) -> Assessment:
    """Assess one household and store the result with its trace.

    By default the input is the household's registry facts (`household_input`). A caller that
    holds a better input for the same household — the verified input of an economic-status
    verification (`verification.report.verified_input`) — passes it as `inputs`, with
    `verification` saying where it came from (report, declared vs verified values, provenance);
    both are stored, so the assessment can be recomputed and explained as it was made."""
    if not user.can(Perm.ASSESS_HOUSEHOLD):
        raise PermissionDenied("您的角色无权进行认定测算。")
    household = registry_selectors.get_household(user, household_id)
    on = on or timezone.localdate()
    if inputs is None:
        data = household_input(household)
    else:
        if inputs.get("region") != household.village.code:
            raise ValidationFailed("测算输入与该户不符。", field="region")
        data = inputs
    parsed = policy.parse_household(data, on=on)
    params = parameter_set(household.village.code).on(on)
    outcome = policy.assess(parsed, params)
    result = outcome.to_json()
    with transaction.atomic():
        row = Assessment.objects.create(
            household=household,
            assessed_on=on,
            inputs=data,
            result=result,
            unverified_parameters=result["unverified_parameters"],
            parameters_version=outcome.parameters_version,
            parameters_digest=outcome.parameters_digest,
            rule_set_version=outcome.rule_set_version,
            verification=verification or {},
            **_store_fields(result),
        )
        changes = {"category": [None, row.category], "benefit_monthly": [None, str(row.benefit_monthly)]}
        if verification:
            changes["verification_report"] = [None, verification.get("report")]
        record_audit(
            actor=Actor.of(user, client),
            action="assessment.create",
            object_type="household",
            object_id=household.pk,
            changes=changes,
        )
    return row


def recompute(assessment: Assessment) -> dict:
    """Re-run a stored assessment on its frozen inputs and the parameters of its time."""
    on = assessment.assessed_on
    # A value entered later with an earlier effective date must not change a past decision.
    params = parameter_set(assessment.household.village.code, entered_until=assessment.created_at)
    return policy.assess(policy.parse_household(assessment.inputs, on=on), params.on(on)).to_json()


@dataclass
class RegisterChunk:
    households: list[Household]
    inputs: list[dict]
    table: policy.HouseholdTable | None
    invalid: list[dict]


def register_chunks(qs, *, on: dt.date, chunk: int = 2000) -> Iterator[RegisterChunk]:
    """The register as policy tables, a chunk at a time; households whose facts fail the input
    contract are set aside with the reason instead of stopping the run."""
    qs = with_current_members(qs.order_by("id"))
    total = qs.count()
    for start in range(0, total, chunk):
        kept, inputs, parsed, invalid = [], [], [], []
        for h in qs[start : start + chunk]:
            data = household_input(h, h.current_memberships)
            try:
                parsed.append(policy.parse_household(data, on=on))
            except SafetynetError as err:
                invalid.append({"household": h.pk, "field": err.field, "message": err.message})
                continue
            kept.append(h)
            inputs.append(data)
        yield RegisterChunk(
            kept, inputs, policy.HouseholdTable.from_households(parsed) if parsed else None, invalid
        )


def assess_register(
    *,
    on: dt.date,
    region: str | None = None,
    households=None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 2000,
) -> AssessmentRun:
    """Re-assess every household of the register (or the given queryset) in batch, storing each result.

    `region` defaults to the configured county (`core.areas.configured_county`)."""
    region = region or configured_county()
    qs = households if households is not None else registry_selectors.households_in_region(region)
    params = parameter_set(region).on(on)
    total = qs.count()
    run = AssessmentRun.objects.create(
        assessed_on=on,
        region=region,
        source="database",
        parameters_version=params.version,
        parameters_digest="",
        rule_set_version=policy.RULE_SET_VERSION,
    )
    counts: Counter = Counter()
    monthly_total = Decimal(0)
    invalid, done, digest, unverified = [], 0, "", set()
    for part in register_chunks(qs, on=on, chunk=chunk):
        invalid += part.invalid
        if part.table is not None:
            result = policy.assess_batch(part.table, params)
            digest, rows = result.parameters_digest, []
            unverified |= set(result.unverified_parameters)
            for i, h in enumerate(part.households):
                r = result.household_row(i)
                counts[r["category"]] += 1
                if r["monitoring"]["marked"]:
                    counts["monitoring"] += 1
                monthly_total += r["benefit_monthly"]
                rows.append(
                    Assessment(
                        household=h,
                        run=run,
                        assessed_on=on,
                        inputs=part.inputs[i],
                        result=policy.jsonable(r),
                        unverified_parameters=result.unverified_parameters,
                        parameters_version=result.parameters_version,
                        parameters_digest=result.parameters_digest,
                        rule_set_version=result.rule_set_version,
                        category=r["category"],
                        monitoring_type=r["monitoring"]["type"] or "",
                        family_size=r["family_size"],
                        per_capita_monthly_income=r["per_capita_monthly_income"],
                        benefit_monthly=r["benefit_monthly"],
                        refer_other_low_income=r["refer_other_low_income"],
                    )
                )
            Assessment.objects.bulk_create(rows, batch_size=1000)
        done += len(part.households) + len(part.invalid)
        if progress:
            progress(done, total)
    run.finished_at = timezone.now()
    run.households = done - len(invalid)
    run.parameters_digest = digest
    run.summary = {
        "categories": dict(counts),
        "benefit_monthly_total": str(monthly_total),
        "invalid": invalid[:100],
        "invalid_count": len(invalid),
        "unverified_parameters": sorted(unverified),
    }
    # The finished run and its audit record commit together (the chunks before are committed as
    # they go, so that a register-wide run holds no write lock for its whole length).
    with transaction.atomic():
        run.save()
        record_audit(
            actor=SYSTEM,
            action="assessment.run",
            object_type="assessment_run",
            object_id=run.pk,
            changes={"households": run.households, "invalid": len(invalid)},
        )
    return run
