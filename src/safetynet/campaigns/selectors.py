"""Reads of the review campaigns: which a user sees, and their progress per township and village
derived from the campaign's cases (their states, their change decisions, their deadlines).

Scoped by area like every read: a campaign is visible when its area and the user's reach overlap
(a township clerk sees the county's campaign), but its figures and cases only within the reach
(`registry.selectors.in_reach` on the village of each case), so the clerk sees their township's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from safetynet.campaigns.models import Campaign, CampaignCase, CampaignSkip
from safetynet.cases.models import OPEN_STATES, ChangeDecision
from safetynet.cases.workflow import State
from safetynet.core.errors import NotFound
from safetynet.registry.selectors import has_reach, in_reach

NOT_VERIFIED = (State.ACCEPTED.value, State.INVESTIGATION.value, State.VERIFICATION.value)
FIGURES = ("due", "cases", "skipped", "verified", "unchanged", "changed", "stopped", "overdue")


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    if not has_reach(user):
        return Campaign.objects.none()
    code = user.area.code
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    return Campaign.objects.filter(
        Q(area__code__startswith=code) | Q(area__code__in=prefixes)
    ).select_related("area", "opened_by")


def get_campaign(user, pk) -> Campaign:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    campaign = campaigns_visible_to(user).filter(pk=pk).first() if pk is not None else None
    if campaign is None:
        raise NotFound("未找到该复核。", code="campaign_not_found")
    return campaign


def campaign_cases(user, campaign: Campaign) -> QuerySet[CampaignCase]:
    return in_reach(CampaignCase.objects.filter(campaign=campaign), user, "village__code")


def campaign_skips(user, campaign: Campaign) -> QuerySet[CampaignSkip]:
    return in_reach(CampaignSkip.objects.filter(campaign=campaign), user, "village__code")


@dataclass
class Row:
    code: str
    name: str
    figures: dict = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))


def _outcome():
    return Subquery(
        ChangeDecision.objects.filter(case=OuterRef("case_id"), active=True)
        .order_by("-id")
        .values("outcome")[:1]
    )


def progress(user, campaign: Campaign, *, today: dt.date, township: str = "") -> dict:
    """{"total": figures, "rows": [Row …]}: per township, or per village of `township` when given.

    due = households due (cases + skipped); verified = cases past the verification step;
    unchanged / changed / stopped = the township's change decision in force on the case; overdue =
    open cases past their deadline on `today`."""
    level = "village" if township else "township"
    cases = campaign_cases(user, campaign)
    skips = campaign_skips(user, campaign)
    if township:
        cases, skips = cases.filter(township__code=township), skips.filter(township__code=township)
    key, name = f"{level}__code", f"{level}__name"
    rows: dict[str, Row] = {}
    stats = (
        cases.annotate(outcome=_outcome())
        .values(key, name)
        .annotate(
            cases=Count("pk"),
            verified=Count("pk", filter=~Q(case__state__in=NOT_VERIFIED)),
            unchanged=Count("pk", filter=Q(outcome="unchanged")),
            changed=Count("pk", filter=Q(outcome="change")),
            stopped=Count("pk", filter=Q(outcome="stop")),
            overdue=Count("pk", filter=Q(case__state__in=OPEN_STATES, case__deadline__lt=today)),
        )
        .order_by(key)
    )
    for s in stats:
        row = rows.setdefault(s[key], Row(s[key], s[name]))
        for f in ("cases", "verified", "unchanged", "changed", "stopped", "overdue"):
            row.figures[f] = s[f]
    for s in skips.values(key, name).annotate(n=Count("pk")).order_by(key):
        rows.setdefault(s[key], Row(s[key], s[name])).figures["skipped"] = s["n"]
    for row in rows.values():
        row.figures["due"] = row.figures["cases"] + row.figures["skipped"]
    ordered = sorted(rows.values(), key=lambda r: r.code)
    total = {f: sum(r.figures[f] for r in ordered) for f in FIGURES}
    return {"level": level, "total": total, "rows": ordered}


def case_rows(user, campaign: Campaign, *, village: str = "", status: str = "", today: dt.date):
    """The campaign's cases in reach (of a village, of a progress column), for the list behind a figure."""
    qs = campaign_cases(user, campaign).annotate(outcome=_outcome())
    if village:
        qs = qs.filter(village__code=village)
    filters = {
        "verified": ~Q(case__state__in=NOT_VERIFIED),
        "unchanged": Q(outcome="unchanged"),
        "changed": Q(outcome="change"),
        "stopped": Q(outcome="stop"),
        "overdue": Q(case__state__in=OPEN_STATES, case__deadline__lt=today),
        "pending": Q(case__state__in=NOT_VERIFIED),
    }
    if status in filters:
        qs = qs.filter(filters[status])
    return qs.select_related("case", "village", "township").order_by("village__code", "case_id")
