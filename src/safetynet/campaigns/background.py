"""The campaign's background run as a huey job, queued by `services.open_campaign` on commit.

Defined here rather than in `tasks.py` (a leaf nothing imports) because the service queues it;
`tasks.py` imports this module so the consumer knows the job, and adds the periodic resumption.
One run per campaign at a time (a huey lock); the run is idempotent, so resuming is harmless."""

from __future__ import annotations

from huey.contrib.djhuey import db_task, lock_task


@db_task()
def run_campaign_job(campaign_id: int) -> None:
    from safetynet.campaigns.services import run_campaign

    with lock_task(f"review-campaign-{campaign_id}"):
        run_campaign(campaign_id)


def start(campaign_id: int) -> None:
    run_campaign_job(campaign_id)
