"""Writes of the yearly review campaign: opening it (the county civil-affairs office), and the
background work that creates its review cases township by township and verifies them in batch.

`open_campaign` validates, refuses a second campaign for the same period over the same, an
enclosing or an enclosed area, writes the campaign and its townships and queues the background
run on commit (`background.start`). `run_campaign` is that run: for each township still pending,
`create_township_cases`, then for each township created, `verification.verify_township`. Every
step reads what is already done from the database, so running it again after an interruption
continues without duplicates (one case per campaign and household, a constraint).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.audit.services import SYSTEM, Actor, record_audit
from safetynet.campaigns.models import Campaign, CampaignCase, CampaignSkip, CampaignTownship
from safetynet.cases import bulk
from safetynet.cases.models import OPEN_STATES, Case
from safetynet.core import clock
from safetynet.core.bulk_insert import insert_rows
from safetynet.core.errors import Conflict, PermissionDenied, ValidationFailed
from safetynet.entitlements.selectors import rows_in_region
from safetynet.registry.models import Area
from safetynet.registry.selectors import areas_visible_to

logger = logging.getLogger(__name__)

CHUNK = 2000  # households per transaction: short enough that other writers are not held up


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(f"请填写{label}（年-月-日）。", field=field) from None


def _overlapping(area: Area, starts_on: dt.date, ends_on: dt.date) -> Campaign | None:
    """A campaign whose period overlaps this one over the same, an enclosing or an enclosed area."""
    for c in Campaign.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).select_related("area"):
        if c.area.code.startswith(area.code) or area.code.startswith(c.area.code):
            return c
    return None


def _exists(c: Campaign) -> Conflict:
    return Conflict(
        f"{c.area.name}{c.starts_on:%Y年%m月%d日}至{c.ends_on:%Y年%m月%d日}已开启“{c.name}”，"
        "同一期间同一范围不能重复开启复核。",
        code="campaign_exists",
        field="starts_on",
    )


def open_campaign(*, user, name: str, area_code: str, starts_on, ends_on, client: str = "") -> Campaign:
    """开启年度复核 for the county or one township of it, for a period."""
    if not user.can(Perm.OPEN_REVIEW_CAMPAIGN):
        raise PermissionDenied("您无权开启年度复核。")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写复核名称。", field="name")
    if len(name) > 100:
        raise ValidationFailed("复核名称不超过100字。", field="name")
    starts_on = _date(starts_on, "starts_on", "开始日期")
    ends_on = _date(ends_on, "ends_on", "结束日期")
    if ends_on < starts_on:
        raise ValidationFailed("结束日期不能早于开始日期。", field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise ValidationFailed("复核期间不超过一年。", field="ends_on")
    area = (
        areas_visible_to(user)
        .filter(code=str(area_code or "").strip(), level__in=(Area.Level.COUNTY, Area.Level.TOWNSHIP))
        .first()
    )
    if area is None:
        raise ValidationFailed("复核范围应为本县或本县的一个乡镇。", field="area")
    townships = (
        [area]
        if area.level == Area.Level.TOWNSHIP
        else list(Area.objects.filter(level=Area.Level.TOWNSHIP, code__startswith=area.code))
    )
    with transaction.atomic():
        other = _overlapping(area, starts_on, ends_on)
        if other is not None:
            raise _exists(other)
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    name=name, area=area, starts_on=starts_on, ends_on=ends_on, opened_by=user
                )
        except IntegrityError:  # opened at the same moment by someone else
            raise _exists(
                Campaign.objects.select_related("area").get(area=area, starts_on=starts_on, ends_on=ends_on)
            ) from None
        CampaignTownship.objects.bulk_create(
            [CampaignTownship(campaign=campaign, township=t) for t in townships]
        )
        record_audit(
            actor=Actor.of(user, client),
            action="campaign.open",
            object_type="campaign",
            object_id=campaign.pk,
            changes={
                "name": [None, name],
                "area": [None, area.code],
                "period": [None, [starts_on.isoformat(), ends_on.isoformat()]],
            },
        )
        from safetynet.campaigns import background

        transaction.on_commit(lambda: background.start(campaign.pk))
    return campaign


# ---- the background run ------------------------------------------------------------------------


def _reference_stem(campaign: Campaign) -> str:
    """XN-R-2026-0003-: county short name, 复核, year, campaign; then a running number (≤ 24 chars)."""
    return f"XN-R-{campaign.starts_on.year}-{campaign.pk:04d}-"


def _due(campaign: Campaign, township: Area) -> list[tuple[int, int, str]]:
    """(household, village, head's name) of every household with an entitlement row in force on the
    campaign's first day in the township: every recipient, every monitored household."""
    return list(
        rows_in_region(township.code, campaign.starts_on)
        .order_by("household_id")
        .values_list("household_id", "household__village_id", "household__head__name")
    )


def _refresh_counts(campaign: Campaign, ct: CampaignTownship, due: int | None = None) -> None:
    fields = {
        "cases_created": CampaignCase.objects.filter(campaign=campaign, township=ct.township).count(),
        "skipped": CampaignSkip.objects.filter(campaign=campaign, township=ct.township).count(),
    }
    if due is not None:
        fields["households_due"] = due
    CampaignTownship.objects.filter(pk=ct.pk).update(**fields)
    totals = CampaignTownship.objects.filter(campaign=campaign).aggregate(
        due=Sum("households_due"),
        created=Sum("cases_created"),
        skipped=Sum("skipped"),
        verified=Sum("verified"),
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        households_due=totals["due"] or 0,
        cases_created=totals["created"] or 0,
        skipped=totals["skipped"] or 0,
        verified=totals["verified"] or 0,
    )


def _create_chunk(campaign, ct, chunk, actor, on, deadline) -> None:
    ids = [hid for hid, _, _ in chunk]
    with transaction.atomic():
        open_cases = {
            hid: (pk, ref)
            for hid, pk, ref in Case.objects.filter(household_id__in=ids, state__in=OPEN_STATES).values_list(
                "household_id", "pk", "reference"
            )
        }
        CampaignSkip.objects.filter(campaign=campaign, household_id__in=ids).delete()
        CampaignSkip.objects.bulk_create(
            [
                CampaignSkip(
                    campaign=campaign,
                    household_id=hid,
                    township=ct.township,
                    village_id=vid,
                    open_case_id=open_cases[hid][0],
                    reason=f"已有正在办理的案件{open_cases[hid][1]}，在该案件中一并复核",
                )
                for hid, vid, _ in chunk
                if hid in open_cases
            ]
        )
        todo = [(hid, vid, name) for hid, vid, name in chunk if hid not in open_cases]
        n = CampaignCase.objects.filter(campaign=campaign).count()
        stem = _reference_stem(campaign)
        cases = bulk.create_review_cases(
            user=campaign.opened_by,
            actor=actor,
            items=[
                bulk.NewReviewCase(
                    household_id=hid,
                    village_id=vid,
                    reference=f"{stem}{n + i + 1:06d}",
                    applicant_name=name or "",
                )
                for i, (hid, vid, name) in enumerate(todo)
            ],
            on=on,
            deadline=deadline,
            summary=f"{campaign.name}：年度复核",
            record={"campaign": campaign.pk},
        )
        insert_rows(
            CampaignCase,
            ["campaign_id", "household_id", "case_id", "township_id", "village_id"],
            (
                (campaign.pk, hid, case.pk, ct.township_id, vid)
                for case, (hid, vid, _) in zip(cases, todo, strict=True)
            ),
        )


def create_township_cases(campaign: Campaign, ct: CampaignTownship, *, chunk: int = CHUNK) -> None:
    """A review case for every household due in the township that has none in this campaign yet
    and no other open case (those are listed as skipped), `chunk` households a transaction."""
    actor = Actor.of(campaign.opened_by)
    on = clock.today()
    deadline = bulk.review_deadline(ct.township.code, on)  # once for the day, not per case
    due = _due(campaign, ct.township)
    done = set(
        CampaignCase.objects.filter(campaign=campaign, township=ct.township).values_list(
            "household_id", flat=True
        )
    )
    todo = [row for row in due if row[0] not in done]
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        try:
            _create_chunk(campaign, ct, part, actor, on, deadline)
        except IntegrityError:
            # A clerk opened a case on one of these households meanwhile: look again, once.
            _create_chunk(campaign, ct, part, actor, on, deadline)
        _refresh_counts(campaign, ct, len(due))
    _refresh_counts(campaign, ct, len(due))
    CampaignTownship.objects.filter(pk=ct.pk).update(status=CampaignTownship.Status.CREATED)


def run_campaign(campaign_id: int, *, chunk: int = CHUNK, verify: bool = True) -> Campaign:
    """The background run: create the cases of every pending township, then verify every created
    one. Safe to run again: it continues where the last run stopped."""
    from safetynet.campaigns.verification import verify_township

    campaign = Campaign.objects.select_related("opened_by", "area").get(pk=campaign_id)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.CREATING, started_at=campaign.started_at or timezone.now(), message=""
    )
    try:
        for ct in campaign.townships.filter(status=CampaignTownship.Status.PENDING).select_related(
            "township"
        ):
            create_township_cases(campaign, ct, chunk=chunk)
        if verify:
            Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.VERIFYING)
            for ct in campaign.townships.filter(status=CampaignTownship.Status.CREATED).select_related(
                "township"
            ):
                verify_township(campaign, ct, chunk=chunk)
                _refresh_counts(campaign, ct)
    except Exception as e:
        logger.exception("review campaign %s failed", campaign_id)
        Campaign.objects.filter(pk=campaign.pk).update(
            status=Campaign.Status.FAILED, message=f"后台处理出错：{type(e).__name__}"[:500]
        )
        raise
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.READY, finished_at=timezone.now())
    campaign.refresh_from_db()
    record_audit(
        actor=SYSTEM,
        action="campaign.run",
        object_type="campaign",
        object_id=campaign.pk,
        changes={
            "households_due": campaign.households_due,
            "cases_created": campaign.cases_created,
            "skipped": campaign.skipped,
            "verified": campaign.verified,
        },
    )
    return campaign
