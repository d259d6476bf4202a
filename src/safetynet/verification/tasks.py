"""Background jobs (huey): the comparison after each department upload, and a nightly run."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def compare_after_upload(upload_id: int):
    """Queued on commit of every loaded upload; runs the rules that read the uploaded source."""
    from safetynet.verification.models import Upload
    from safetynet.verification.rules import RULES
    from safetynet.verification.services import run_comparison

    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or not upload.loaded:
        return None
    rules = tuple(r.code for r in RULES if upload.source in r.sources)
    with lock_task("verification-compare"):
        return run_comparison(rules=rules or None, trigger=f"upload:{upload_id}").pk


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_comparison():
    """Every night: all rules (register-only rules included) against the latest data."""
    from safetynet.verification.services import run_comparison

    with lock_task("verification-compare"):
        return run_comparison(trigger="schedule").pk
