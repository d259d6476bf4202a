"""统计月报 pages: a month's statistics for the townships in the viewer's area and their total,
or for one township; the Excel file. Parse, call `reports.statistics`, render
(docs/statistics.md). The monitored-household summary for agriculture reads the same figures."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.core import clock
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.reports import monitored, statistics
from safetynet.reports import statistics_export as sheet
from safetynet.reports.rules import Month
from safetynet.web.shell import login_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(request):
    month = request.GET.get("month", "").strip() or str(Month.of(clock.today()).prev())
    township = request.GET.get("township", "").strip()
    try:
        return statistics.read(request.user, month, township), {}, month
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None
    except NotFound:
        raise Http404("未找到该乡镇，或不在您的管辖范围内。") from None
    except ValidationFailed as error:
        return None, {error.field or "month": error.message}, month


@require_GET
@login_required
def statistics_page(request):
    stats, errors, month = _read(request)
    context = {**_context(request, stats, errors, month), "blocks": _blocks(stats)}
    for _, figures in context["blocks"]:
        figures["subtotals"] = statistics.category_totals(figures)
    return render(request, "reports/statistics.html", context, status=400 if errors else 200)


@require_GET
@login_required
def statistics_export(request):
    return _xlsx(request, "statistics", statistics_page)


def _context(request, stats, errors, month) -> dict:
    return {
        "stats": stats,
        "errors": errors,
        "values": {"month": month, "township": request.GET.get("township", "")},
        "townships": statistics.townships_in_scope(request.user),
    }


def _blocks(stats) -> list[tuple[str, dict]]:
    if stats is None:
        return []
    blocks = [(t["township"]["name"], t) for t in stats["townships"]]
    return blocks + ([("合计", stats["total"])] if len(stats["townships"]) > 1 else [])


@require_GET
@login_required
def monitored_page(request):
    stats, errors, month = _read(request)
    blocks = []
    for scope, figures in _blocks(stats):
        summary = figures.get("monitored")
        if summary is not None:
            summary = {**summary, "sum": monitored.sums(summary)}
        blocks.append((scope, summary))
    context = {**_context(request, stats, errors, month), "blocks": blocks}
    return render(request, "reports/monitored.html", context, status=400 if errors else 200)


@require_GET
@login_required
def monitored_export(request):
    return _xlsx(request, "monitored", monitored_page)


def _xlsx(request, kind: str, page):
    stats, _, _ = _read(request)
    if stats is None:
        return page(request)  # the page, with the error beside the month
    name, data = sheet.export_file(kind, stats, request.user)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
