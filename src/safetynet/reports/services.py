"""The writes of the monthly change report: prepare (编制), submit (报送), approve (审批), return
(退回). Each runs in one transaction, checks who may act on which township and in which state,
writes, and appends its audit record; a refusal writes nothing.

- prepare: the township's clerk, for a month that has ended; the previous month's report must be
  approved when the township has reported before, and no later month may have a report. Preparing
  again replaces the draft (one report per township and month); a submitted or approved report
  cannot be prepared again.
- submit: the township's clerk, a draft.
- approve / return: county civil affairs, a submitted report. Approved is locked for ever.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core import clock
from safetynet.core.errors import Conflict, PermissionDenied, ValidationFailed
from safetynet.reports import figures as figures_mod
from safetynet.reports import selectors
from safetynet.reports.export import workbook
from safetynet.reports.models import MonthlyReport, ReportStatus
from safetynet.reports.rules import Month
from safetynet.reports.timeline import head_seq

STATUS_LABELS = dict(ReportStatus.choices)


def _require(user, perm: Perm, what: str) -> None:
    if not user.can(perm):
        raise PermissionDenied(f"您的角色无权{what}。", code="permission_denied")


def _audit(user, client: str, action: str, report: MonthlyReport, changes: dict, reason: str = "") -> None:
    record_audit(
        actor=Actor.of(user, client),
        action=action,
        object_type="monthly_report",
        object_id=report.pk,
        changes={"township": report.township.code, "month": report.month_key, **changes},
        reason=reason,
    )


def _locked(report_id: int) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("township").get(pk=report_id)


def _check_month(township, month: Month) -> None:
    if month.end > clock.today():
        raise ValidationFailed(
            f"{month.label()}尚未结束，月末之后方可编制该月报表。", code="month_not_ended", field="month"
        )
    later = MonthlyReport.objects.filter(township=township, month__gt=month.first).order_by("month").first()
    if later is not None:
        raise Conflict(
            f"{township.name}已有{later.month.year}年{later.month.month}月的报表，不能再编制更早月份的报表；"
            "以前月份的变化作为更正列入下月报表。",
            code="later_report_exists",
            field="month",
        )
    reported = MonthlyReport.objects.filter(township=township, month__lt=month.first).exists()
    previous = month.prev()
    if reported:
        prev = selectors.report_of(township, previous)
        if prev is None or prev.status != ReportStatus.APPROVED:
            raise Conflict(
                f"{previous.label()}报表尚未经县民政局审批，不能编制{month.label()}报表。",
                code="previous_not_approved",
                field="month",
            )


def prepare_report(*, user, township: str, month: str, client: str = "") -> tuple[MonthlyReport, bool]:
    """Compute the township's month and store it as a draft (a new one, or replacing the draft)."""
    _require(user, Perm.PREPARE_MONTHLY_REPORT, "编制月报表")
    area = selectors.get_township(user, township)
    m = selectors.parse_month(month)
    with transaction.atomic():
        seq = head_seq(lock=True)  # no timeline write commits until this report is stored
        report = MonthlyReport.objects.select_for_update().filter(township=area, month=m.first).first()
        if report is not None and report.status != ReportStatus.DRAFT:
            raise Conflict(
                f"{m.label()}报表{STATUS_LABELS[report.status]}，不能重新编制。"
                + (
                    "审批后的报表已锁定，以后发现的变化列入下月报表的更正。"
                    if report.locked
                    else "如需修改，请县民政局退回。"
                ),
                code="report_locked" if report.locked else "report_submitted",
                field="month",
            )
        _check_month(area, m)
        data = figures_mod.compute(township=area, month=m, seq=seq, base=selectors.correction_base(area, m))
        now = timezone.now()
        fields = {
            "cutoff_seq": seq,
            "cutoff_at": now,
            "figures": data,
            "digest": figures_mod.digest(data),
            "prepared_by": user,
            "prepared_at": now,
        }
        created = report is None
        if created:
            try:
                with transaction.atomic():
                    report = MonthlyReport.objects.create(township=area, month=m.first, **fields)
            except IntegrityError:  # prepared at the same moment by someone else: one report
                raise Conflict(
                    "该月报表正由他人编制，请刷新后重试。", code="concurrent_prepare", field="month"
                ) from None
        else:
            for k, v in fields.items():
                setattr(report, k, v)
            report.returned_reason = ""
            report.version += 1
            report.save()
        _audit(
            user,
            client,
            "monthly_report.prepare",
            report,
            {
                "replaced": not created,
                "cutoff_seq": seq,
                "digest": report.digest,
                "households": {k: data["totals"][f"{k}_households"] for k in ("new", "changed", "stopped")},
                "corrections": len(data["corrections"]),
            },
        )
    return report, created


def _transition(
    *,
    user,
    report,
    perm: Perm,
    what: str,
    source: ReportStatus,
    target: ReportStatus,
    action: str,
    client: str,
    reason: str = "",
) -> MonthlyReport:
    _require(user, perm, what)
    report = selectors.get_report(user, getattr(report, "pk", report))
    with transaction.atomic():
        report = _locked(report.pk)
        if report.status != source:
            raise Conflict(
                f"报表{STATUS_LABELS[report.status]}，不能{what}（仅{STATUS_LABELS[source]}的报表可以）。",
                code="wrong_status",
                field="status",
            )
        before = report.status
        now = timezone.now()
        report.status = target
        if target == ReportStatus.SUBMITTED:
            report.submitted_by, report.submitted_at = user, now
        elif target == ReportStatus.APPROVED:
            report.approved_by, report.approved_at = user, now
        else:
            report.returned_reason = reason
            report.submitted_by, report.submitted_at = None, None
        report.version += 1
        report.save()
        _audit(user, client, action, report, {"status": [before, target], "digest": report.digest}, reason)
    return report


def submit_report(*, user, report, client: str = "") -> MonthlyReport:
    return _transition(
        user=user, report=report, perm=Perm.PREPARE_MONTHLY_REPORT, what="报送",
        source=ReportStatus.DRAFT, target=ReportStatus.SUBMITTED, action="monthly_report.submit", client=client,
    )  # fmt: skip


def approve_report(*, user, report, client: str = "") -> MonthlyReport:
    return _transition(
        user=user, report=report, perm=Perm.APPROVE_MONTHLY_REPORT, what="审批",
        source=ReportStatus.SUBMITTED, target=ReportStatus.APPROVED, action="monthly_report.approve", client=client,
    )  # fmt: skip


def return_report(*, user, report, reason: str, client: str = "") -> MonthlyReport:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写退回理由。", code="reason_required", field="reason")
    return _transition(
        user=user, report=report, perm=Perm.APPROVE_MONTHLY_REPORT, what="退回",
        source=ReportStatus.SUBMITTED, target=ReportStatus.DRAFT, action="monthly_report.return", client=client,
        reason=reason[:2000],
    )  # fmt: skip


def export_report(*, user, report, client: str = "") -> bytes:
    """The report's Excel file (from its stored snapshot), audited as a copy of personal data."""
    report = selectors.get_report(user, getattr(report, "pk", report))
    data = workbook(report)
    with transaction.atomic():
        _audit(
            user, client, "monthly_report.export", report, {"status": report.status, "digest": report.digest}
        )
    return data
