"""Background jobs of the review campaigns (huey). A leaf: nothing imports this module.

`run_campaign_job` (in `background`, queued when a campaign is opened) creates and verifies the
cases; `resume_campaigns` picks up every campaign whose run stopped before the end (a worker
restarted, a failure), every ten minutes: the run continues where it stopped, adding nothing twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task
from huey.exceptions import TaskLockedException

from safetynet.campaigns import background
from safetynet.campaigns.models import Campaign

run_campaign_job = background.run_campaign_job


@db_periodic_task(crontab(minute="*/10"))
def resume_campaigns() -> None:
    from huey.contrib.djhuey import lock_task

    from safetynet.campaigns.services import run_campaign

    for pk in Campaign.objects.exclude(status=Campaign.Status.READY).values_list("pk", flat=True):
        try:
            with lock_task(f"review-campaign-{pk}"):
                run_campaign(pk)
        except TaskLockedException:
            continue  # running now
