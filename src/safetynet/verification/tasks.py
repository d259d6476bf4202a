"""Background jobs (huey): the comparison after each department upload, and a nightly run; both
file the comparison's hits as leads (`file_as_lead`, also used by the `compare` command)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from safetynet.audit.services import SYSTEM, Actor


def file_as_lead(hit, *, actor: Actor = SYSTEM) -> bool:
    """File one comparison hit as a lead (de-duplicated on its key); True when a new lead."""
    # TODO(move): cases job — lead filing belongs to the cases app; this module and the
    # `compare` command are the only places where verification reaches into cases.
    from safetynet.cases.services import raise_lead

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


def compare_and_file_leads(*, actor: Actor = SYSTEM, **kwargs):
    """Run the comparison and file every hit as a lead; returns the `ComparisonOutcome`."""
    from safetynet.verification.comparison import run_comparison

    return run_comparison(actor=actor, file_hit=lambda hit: file_as_lead(hit, actor=actor), **kwargs)


@db_task()
def compare_after_upload(upload_id: int):
    """Queued on commit of every loaded upload; runs the rules that read the uploaded source."""
    from safetynet.verification.models import Upload
    from safetynet.verification.rules import RULES

    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or not upload.loaded:
        return None
    rules = tuple(r.code for r in RULES if upload.source in r.sources)
    with lock_task("verification-compare"):
        return compare_and_file_leads(rules=rules or None, trigger=f"upload:{upload_id}").run.pk


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_comparison():
    """Every night: all rules (register-only rules included) against the latest data."""
    with lock_task("verification-compare"):
        return compare_and_file_leads(trigger="schedule").run.pk
