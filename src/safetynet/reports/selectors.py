"""Reads of the monthly change reports, scoped like every read (`registry.selectors.in_reach`):
a township's roles see their township's reports, the county's roles every township's; a report
outside the user's reach is the same `NotFound` as one that is not there.

`month_figures` produces any month of any township in reach, reproducibly: a month with a report
shows what the report stored; a month never prepared is computed at its documented cutoff, the end
of the month after it (docs/monthly-report.md), so it reads the same whenever it is produced once
that moment has passed (before it, it is provisional and says so)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.core.errors import NotFound, ValidationFailed
from safetynet.registry.models import Area
from safetynet.registry.selectors import areas_visible_to, in_reach
from safetynet.reports import figures as figures_mod
from safetynet.reports.models import MonthlyReport, ReportStatus
from safetynet.reports.rules import Month
from safetynet.reports.timeline import head_seq, seq_at


def reports_visible_to(user) -> QuerySet[MonthlyReport]:
    if not user or not user.is_authenticated or not user.can(Perm.VIEW_MONTHLY_REPORT):
        return MonthlyReport.objects.none()
    return in_reach(MonthlyReport.objects.all(), user, "township__code").select_related(
        "township", "prepared_by", "submitted_by", "approved_by"
    )


def get_report(user, pk) -> MonthlyReport:
    try:
        return reports_visible_to(user).get(pk=int(pk))
    except (MonthlyReport.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该月报表。", code="report_not_found") from None


def townships_visible_to(user) -> QuerySet[Area]:
    if not user or not user.is_authenticated or not user.can(Perm.VIEW_MONTHLY_REPORT):
        return Area.objects.none()
    return areas_visible_to(user).filter(level=Area.Level.TOWNSHIP).order_by("code")


def get_township(user, code, *, field: str = "township") -> Area:
    try:
        return townships_visible_to(user).get(code=str(code))
    except Area.DoesNotExist:
        raise NotFound(
            f"未找到乡镇{code}，或不在您的管辖范围内。", code="township_not_found", field=field
        ) from None


def parse_month(value, *, field: str = "month") -> Month:
    try:
        return Month.parse(str(value or ""))
    except ValueError:
        raise ValidationFailed(
            "月份格式应为 YYYY-MM（如 2026-06）。", code="invalid_month", field=field
        ) from None


def report_of(township: Area, month: Month) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(township=township, month=month.first).first()


def latest_approved_before(township: Area, month: Month) -> MonthlyReport | None:
    return (
        MonthlyReport.objects.filter(township=township, month__lt=month.first, status=ReportStatus.APPROVED)
        .order_by("-month")
        .first()
    )


def first_reported_month(township: Area) -> Month | None:
    first = (
        MonthlyReport.objects.filter(township=township, status=ReportStatus.APPROVED)
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    return Month.of(first) if first else None


def correction_base(township: Area, month: Month) -> tuple[int, Month] | None:
    """(cutoff of the last approved report before `month`, the first month ever approved)."""
    last = latest_approved_before(township, month)
    if last is None:
        return None
    return last.cutoff_seq, first_reported_month(township)


def standing_cutoff(month: Month) -> dt.datetime:
    """A never-prepared month's cutoff: the end of the month after it (local time), when its
    report should have been made."""
    after = month.next().end
    return timezone.make_aware(dt.datetime(after.year, after.month, after.day))


def month_figures(user, township_code: str, month_text: str) -> tuple[dict, MonthlyReport | None, bool]:
    """(figures, the report if one exists, provisional) for a township and month in reach."""
    township = get_township(user, township_code)
    month = parse_month(month_text)
    report = report_of(township, month)
    if report is not None:
        return report.figures, report, False
    moment = standing_cutoff(month)
    provisional = moment > timezone.now()
    seq = head_seq() if provisional else seq_at(moment)
    return figures_mod.compute(township=township, month=month, seq=seq), None, provisional


def can_prepare(user, report: MonthlyReport | None) -> bool:
    return user.can(Perm.PREPARE_MONTHLY_REPORT) and (report is None or report.status == ReportStatus.DRAFT)


def can_submit(user, report: MonthlyReport) -> bool:
    return user.can(Perm.PREPARE_MONTHLY_REPORT) and report.status == ReportStatus.DRAFT


def can_approve(user, report: MonthlyReport) -> bool:
    return user.can(Perm.APPROVE_MONTHLY_REPORT) and report.status == ReportStatus.SUBMITTED


def recompute(report: MonthlyReport) -> dict:
    """The report's figures produced again from the timeline known at its cutoff (and the same
    correction base): equal to what it stored, however much the timeline changed since."""
    base = report.figures.get("corrections_base")
    return figures_mod.compute(
        township=report.township,
        month=Month.of(report.month),
        seq=report.cutoff_seq,
        base=(base["seq"], Month.parse(base["first_month"])) if base else None,
    )
