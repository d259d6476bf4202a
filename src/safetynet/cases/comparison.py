"""The register-wide comparison (大数据比对) as a source of leads: the verification app finds the
hits and returns them; filing them as `data_comparison` / `department_warning` leads is the
procedure's (a hit about a family with an open case joins it). Used by the `compare` command and
the jobs in `cases.tasks`."""

from __future__ import annotations

from safetynet.audit.services import SYSTEM, Actor
from safetynet.cases.services import raise_lead
from safetynet.verification import selectors as verification_selectors
from safetynet.verification.comparison import ComparisonOutcome, Hit, run_comparison
from safetynet.verification.rules import RULES


def file_as_lead(hit: Hit, *, actor: Actor = SYSTEM) -> bool:
    """File one comparison hit as a lead (de-duplicated on its key); True when a new lead."""
    _, created = raise_lead(
        actor=actor,
        channel=hit.channel,
        village=hit.village,
        summary=hit.summary,
        household=hit.household,
        person=hit.person,
        subject_name=hit.subject_name,
        subject_id_number=hit.subject_id_number,
        rule=hit.rule,
        department=hit.department,
        evidence=hit.evidence,
        dedup_key=hit.dedup_key,
    )
    return created


def compare_and_file_leads(*, actor: Actor = SYSTEM, **kwargs) -> ComparisonOutcome:
    """Run the comparison and file every hit as a lead."""
    return run_comparison(actor=actor, file_hit=lambda hit: file_as_lead(hit, actor=actor), **kwargs)


def compare_new_uploads() -> list[int]:
    """For each loaded upload no finished comparison has read: the rules that read its source.
    Returns the runs' ids (a run that fails is retried by the next call)."""
    runs = []
    for upload in verification_selectors.uploads_awaiting_comparison():
        rules = tuple(r.code for r in RULES if upload.source in r.sources)
        if rules:
            runs.append(compare_and_file_leads(rules=rules, trigger=f"upload:{upload.pk}").run.pk)
    return runs
