"""Web pages of the monthly change report (按月上报变化情况): the list of the user's townships'
reports with the preparation form, a report with its figures and actions, its Excel file.
Parse, call a service or selector, render (docs/monthly-report.md)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.errors import NotFound, SafetynetError
from safetynet.reports import selectors, services
from safetynet.reports.models import ReportStatus
from safetynet.reports.rules import Month
from safetynet.web.shell import client_of, login_required, raise_if_not_form_error, status_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_or_404(user) -> None:
    if not user.can(Perm.VIEW_MONTHLY_REPORT):
        raise Http404


def _list(request, *, errors=None, values=None, status=200):
    user = request.user
    reports = selectors.reports_visible_to(user)
    township = request.GET.get("township", "").strip()
    if township:
        reports = reports.filter(township__code=township)
    wanted = request.GET.get("status", "").strip()
    if wanted in ReportStatus.values:
        reports = reports.filter(status=wanted)
    default_month = str(Month.of(clock.today()).prev())
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports[:200],
            "townships": selectors.townships_visible_to(user),
            "statuses": ReportStatus.choices,
            "filters": {"township": township, "status": wanted},
            "can_prepare": user.can(Perm.PREPARE_MONTHLY_REPORT),
            "values": values or {"month": default_month},
            "errors": errors or {},
        },
        status=status,
    )


@login_required
def report_list(request):
    _visible_or_404(request.user)
    return _list(request)


@login_required
@require_POST
def report_prepare(request):
    _visible_or_404(request.user)
    township, month = request.POST.get("township", ""), request.POST.get("month", "").strip()
    try:
        report, created = services.prepare_report(
            user=request.user, township=township, month=month, client=client_of(request)
        )
    except SafetynetError as e:
        raise_if_not_form_error(e)
        field = e.field if e.field in ("township", "month") else "form"
        return _list(
            request,
            errors={field: e.message},
            values={"month": month, "township": township},
            status=status_of(e),
        )
    what = "已编制" if created else "已重新编制（替换原草稿）"
    messages.success(request, f"{report.township.name}{report.month:%Y年%m月}变化情况月报{what}。")
    return redirect("reports:detail", pk=report.pk)


@login_required
def report_detail(request, pk: int):
    try:
        report = selectors.get_report(request.user, pk)
    except NotFound:
        raise Http404 from None
    user = request.user
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "f": report.figures,
            "can_prepare": selectors.can_prepare(user, report),
            "can_submit": selectors.can_submit(user, report),
            "can_approve": selectors.can_approve(user, report),
        },
    )


ACTIONS = {
    "submit": (services.submit_report, "已报送县民政局审批。"),
    "approve": (services.approve_report, "已审批，报表已锁定。"),
    "return": (services.return_report, "已退回乡镇修改。"),
}


@login_required
@require_http_methods(["POST"])
def report_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    try:
        report = selectors.get_report(request.user, pk)
    except NotFound:
        raise Http404 from None
    service, done = ACTIONS[action]
    kwargs = {"reason": request.POST.get("reason", "")} if action == "return" else {}
    try:
        service(user=request.user, report=report, client=client_of(request), **kwargs)
    except SafetynetError as e:
        raise_if_not_form_error(e)
        messages.error(request, e.message)
        return redirect("reports:detail", pk=report.pk)
    messages.success(request, f"{report.township.name}{report.month:%Y年%m月}变化情况月报{done}")
    return redirect("reports:detail", pk=report.pk)


@login_required
def report_export(request, pk: int):
    try:
        report = selectors.get_report(request.user, pk)
    except NotFound:
        raise Http404 from None
    data = services.export_report(user=request.user, report=report, client=client_of(request))
    response = HttpResponse(data, content_type=XLSX)
    name = f"monthly-report-{report.township.code}-{report.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
