"""The monthly statistics of a township (民政统计月报口径): households, people and amounts of the
roll at the month's end by category and 城乡 (the household's 户籍), the 特困 by care tier and by
support mode (集中供养 / 分散供养, as recorded on the timeline), the
单人保 people, and the money paid for the month — computed from the entitlement timeline as known
at a cutoff and from the payroll lines paid by then (docs/statistics.md).

Reproducible: once a month's cutoff (the end of the month after it, as for the change report) has
passed, its figures are computed once — by the nightly job on the day after the cutoff, or by the
first reading after it — and stored (`StatisticsSnapshot`), then always read from the store; a
month before its cutoff is provisional: recomputed every few minutes by a job into a summary
(`ProvisionalStatistics`) and shown labelled with the time it was computed.
The county's figures are the sum of its townships'. A live month is a few SQL aggregates grouped
by township, whatever the number of townships and rows (fast at province scale, docs/scale.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.payments.models import LineStatus, PayrollLine
from safetynet.registry.models import Area, Hukou
from safetynet.reports import monitored
from safetynet.reports.models import ProvisionalStatistics, StatisticsSnapshot
from safetynet.reports.rules import Month
from safetynet.reports.selectors import parse_month

CATEGORIES = ("tekun", "dibao", "dibao_edge", "rigid_hardship", "other_low_income")
HUKOU = (Hukou.URBAN.value, Hukou.RURAL.value)
CARE_TIERS = ("self_care", "partial", "total")
SUPPORT_MODES = ("centralised", "dispersed", "unrecorded")  # 集中供养, 分散供养, 未登记
ZERO = Decimal("0.00")


def check_month(month: Month) -> None:
    if month.first > clock.today():
        raise ValidationFailed("不能统计未来的月份。", code="future_month", field="month")


def _empty_cell() -> dict:
    return {"households": 0, "people": 0, "amount_due": ZERO, "paid_households": 0, "amount_paid": ZERO}


def _in_force(day: dt.date):
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gt=day))


def compute_many(townships, month: Month, *, moment: dt.datetime) -> dict[str, dict]:
    """{township code: its figures for `month`} from the timeline as it stands and the payments
    with a result by `moment`: a few SQL aggregates grouped by township, however many townships
    and rows (the timeline now is the timeline at the audit trail's head, `timeline.rows_at`)."""
    townships = list(townships)
    by_id = {t.pk: t for t in townships}
    day = min(month.end - dt.timedelta(days=1), clock.today())
    cells = {t.pk: {(c, h): _empty_cell() for c in CATEGORIES for h in HUKOU} for t in townships}
    rows = Entitlement.objects.filter(_in_force(day), household__village__parent__in=townships)
    for r in rows.values("household__village__parent", "category", "household__hukou").annotate(
        households=Count("pk"), amount=Sum("benefit_monthly")
    ):
        cell = cells[r["household__village__parent"]].setdefault(
            (r["category"], r["household__hukou"]), _empty_cell()
        )
        cell["households"] += r["households"]
        cell["amount_due"] += r["amount"] or ZERO
    members = EntitlementMember.objects.filter(
        entitlement__in=rows.values("pk"), entitlement__household__village__parent__in=townships
    )
    individual = dict.fromkeys(by_id, 0)
    care = {t: dict.fromkeys(CARE_TIERS, 0) for t in by_id}
    for m in members.values(
        "entitlement__household__village__parent", "entitlement__category", "entitlement__household__hukou"
    ).annotate(
        people=Count("pk"),
        individual=Count("pk", filter=Q(category="individual_dibao")),
    ):
        t = m["entitlement__household__village__parent"]
        cell = cells[t].setdefault(
            (m["entitlement__category"], m["entitlement__household__hukou"]), _empty_cell()
        )
        cell["people"] += m["people"]
        individual[t] += m["individual"]
    for t, tier, n in (
        members.filter(entitlement__category="tekun")
        .exclude(care_tier="")
        .values_list("entitlement__household__village__parent", "care_tier")
        .annotate(n=Count("pk"))
    ):
        care[t][tier] = care[t].get(tier, 0) + n
    paid = (
        PayrollLine.objects.filter(
            household__village__parent__in=townships,
            benefit_month=month.first,
            status=LineStatus.PAID,
            result_at__lte=moment,
        )
        .values("household__village__parent", "category", "household__hukou")
        .annotate(households=Count("household", distinct=True), amount=Sum("amount"))
    )
    for p in paid:
        cell = cells[p["household__village__parent"]].setdefault(
            (p["category"], p["household__hukou"]), _empty_cell()
        )
        cell["paid_households"] += p["households"]
        cell["amount_paid"] += p["amount"] or ZERO
    support = {t: dict.fromkeys(SUPPORT_MODES, 0) for t in by_id}
    for t, mode, n in (
        members.filter(category="tekun")
        .values_list("entitlement__household__village__parent", "support_mode")
        .annotate(n=Count("pk"))
    ):
        support[t][mode or "unrecorded"] += n
    summaries = monitored.figures_many(townships, month.first, day)
    return {
        t.code: {
            "township": {"code": t.code, "name": t.name},
            "month": str(month),
            "day": day.isoformat(),
            "cells": [
                {
                    "category": c,
                    "hukou": h,
                    **{k: str(v) if isinstance(v, Decimal) else v for k, v in cell.items()},
                }
                for (c, h), cell in sorted(cells[t.pk].items())
            ],
            "tekun_care": care[t.pk],
            "tekun_support": support[t.pk],
            "individual_dibao_people": individual[t.pk],
            "monitored": summaries[t.pk],
        }
        for t in townships
    }


def compute(township: Area, month: Month, *, moment: dt.datetime) -> dict:
    """The figures of `township` for `month` (see `compute_many`)."""
    return compute_many([township], month, moment=moment)[township.code]


def _in_order(figures: dict) -> dict:
    """Stored figures with their care tiers and support modes in the order the page and the export
    list them (`CARE_TIERS`, `SUPPORT_MODES`, as computed): PostgreSQL's jsonb keeps a stored
    object's keys in an order of its own."""
    for key, order in (("tekun_care", CARE_TIERS), ("tekun_support", SUPPORT_MODES)):
        counts = figures.get(key)
        if counts:
            figures[key] = {**{k: counts[k] for k in order if k in counts}, **counts}
    return figures


def _digest(figures: dict) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def township_figures(township: Area, month: Month) -> tuple[dict, dt.datetime, bool]:
    """(figures, as of, provisional) — stored once the month's cutoff has passed."""
    check_month(month)
    if month.next().end > clock.today():  # the cutoff (the end of the month after) is still ahead
        now = timezone.now()
        return compute(township, month, moment=now), now, True
    stored = StatisticsSnapshot.objects.filter(township=township, month=month.first).first()
    if stored is not None:
        return _in_order(stored.figures), stored.cutoff_at, False
    moment = timezone.now()
    figures = compute(township, month, moment=moment)
    try:
        with transaction.atomic():
            StatisticsSnapshot.objects.create(
                township=township,
                month=month.first,
                cutoff_at=moment,
                figures=figures,
                digest=_digest(figures),
            )
    except IntegrityError:  # computed at the same time by another request: the stored one stands
        stored = StatisticsSnapshot.objects.get(township=township, month=month.first)
        return _in_order(stored.figures), stored.cutoff_at, False
    return figures, moment, False


def refresh_minutes() -> int:
    """How often the job recomputes the provisional figures (`SAFETYNET_STATISTICS_REFRESH_MINUTES`)."""
    return settings.SAFETYNET_STATISTICS_REFRESH_MINUTES


def _store_provisional(month: Month, figures: dict[str, dict], townships, moment: dt.datetime) -> None:
    ProvisionalStatistics.objects.bulk_create(
        [
            ProvisionalStatistics(township=t, month=month.first, computed_at=moment, figures=figures[t.code])
            for t in townships
        ],
        update_conflicts=True,
        unique_fields=["township", "month"],
        update_fields=["computed_at", "figures"],
    )


def figures_of(townships: list[Area], month: Month) -> list[tuple[dict, dt.datetime, bool]]:
    """`(figures, as of, provisional)` of several townships in a bounded number of queries.

    A month before its cutoff reads the provisional summary (`ProvisionalStatistics`), labelled
    with the time it was computed; the job recomputes it every `refresh_minutes()`, and a reading
    that finds a township's summary missing or older than twice that (the job not running)
    computes it in one pass of aggregates and stores it. A closed month reads the frozen figures
    (a township not yet frozen is computed and stored as by `township_figures`)."""
    check_month(month)
    now = timezone.now()
    if month.next().end > clock.today():
        fresh_after = now - dt.timedelta(minutes=2 * refresh_minutes())
        stored = {
            p.township_id: p
            for p in ProvisionalStatistics.objects.filter(
                township__in=townships, month=month.first, computed_at__gte=fresh_after
            )
        }
        missing = [t for t in townships if t.pk not in stored]
        computed = compute_many(missing, month, moment=now) if missing else {}
        if missing:
            _store_provisional(month, computed, missing, now)
        return [
            (_in_order(stored[t.pk].figures), stored[t.pk].computed_at, True)
            if t.pk in stored
            else (computed[t.code], now, True)
            for t in townships
        ]
    frozen = {
        s.township_id: s for s in StatisticsSnapshot.objects.filter(township__in=townships, month=month.first)
    }
    return [
        (_in_order(frozen[t.pk].figures), frozen[t.pk].cutoff_at, False)
        if t.pk in frozen
        else township_figures(t, month)
        for t in townships
    ]


def refresh_provisional() -> int:
    """The job every few minutes: recompute every township's figures of the months whose cutoff
    is still ahead (this month and the last) and store them; returns how many townships."""
    townships = list(Area.objects.filter(level=Area.Level.TOWNSHIP).order_by("code"))
    this = Month.of(clock.today())
    for month in (this.prev(), this):
        if month.next().end > clock.today():
            now = timezone.now()
            _store_provisional(month, compute_many(townships, month, moment=now), townships, now)
    return len(townships)


def freeze_closed_months() -> int:
    """The nightly job: store every township's figures for the latest month whose cutoff has
    passed, so the stored figures are those of the day after the cutoff. Returns how many."""
    month = Month.of(clock.today()).prev().prev()
    done = 0
    for township in Area.objects.filter(level=Area.Level.TOWNSHIP).order_by("code"):
        if not StatisticsSnapshot.objects.filter(township=township, month=month.first).exists():
            township_figures(township, month)
            done += 1
    return done


def total(figures: list[dict]) -> dict:
    """The sum of several townships' figures (the county)."""
    cells: dict[tuple[str, str], dict] = {}
    care = dict.fromkeys(CARE_TIERS, 0)
    support = dict.fromkeys(SUPPORT_MODES, 0)
    individual = 0
    for f in figures:
        for c in f["cells"]:
            cell = cells.setdefault((c["category"], c["hukou"]), _empty_cell())
            for k in ("households", "people", "paid_households"):
                cell[k] += c[k]
            for k in ("amount_due", "amount_paid"):
                cell[k] += Decimal(c[k])
        for tier, n in f["tekun_care"].items():
            care[tier] = care.get(tier, 0) + n
        for mode, n in f.get("tekun_support", {}).items():  # months stored before it was counted lack it
            support[mode] = support.get(mode, 0) + n
        individual += f["individual_dibao_people"]
    return {
        "cells": [
            {
                "category": c,
                "hukou": h,
                **{k: str(v) if isinstance(v, Decimal) else v for k, v in cell.items()},
            }
            for (c, h), cell in sorted(cells.items())
        ],
        "tekun_care": care,
        "tekun_support": support,
        "individual_dibao_people": individual,
        "monitored": monitored.total(f.get("monitored") for f in figures),
    }


def category_totals(figures: dict) -> list[dict]:
    """Per category, both 户籍 together (the report's subtotal rows)."""
    out: dict[str, dict] = {}
    for c in figures["cells"]:
        cell = out.setdefault(c["category"], _empty_cell())
        for k in ("households", "people", "paid_households"):
            cell[k] += c[k]
        for k in ("amount_due", "amount_paid"):
            cell[k] += Decimal(c[k])
    return [{"category": k, **v} for k, v in out.items()]


def townships_in_scope(user):
    """The townships under the user's own area (county finance reads figures, not households,
    so the reach here is the area itself)."""
    if not user or not user.is_authenticated or not user.can(Perm.VIEW_STATISTICS) or not user.area_id:
        raise PermissionDenied("您的角色无权查看统计报表。")
    return Area.objects.filter(level=Area.Level.TOWNSHIP, code__startswith=user.area.code).order_by("code")


def read(user, month_text: str, township_code: str = "") -> dict:
    """The statistics of a month for one township in reach, or for every township in reach and
    their total. An unknown month, a future one, a township outside the reach: refused."""
    townships = townships_in_scope(user)
    month = parse_month(month_text)
    check_month(month)
    if township_code:
        chosen = townships.filter(code=township_code).first()
        if chosen is None:
            raise NotFound(
                "未找到该乡镇，或不在您的管辖范围内。", code="township_not_found", field="township"
            )
        townships = [chosen]
    parts, as_of, provisional = [], None, False
    for figures, moment, live in figures_of(list(townships), month):
        parts.append(figures)
        as_of = moment if as_of is None else max(as_of, moment)
        provisional = provisional or live
    return {
        "month": str(month),
        "month_label": month.label(),
        "as_of": as_of,
        "provisional": provisional,
        "townships": parts,
        "total": total(parts),
    }
