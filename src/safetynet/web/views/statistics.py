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
from safetynet.reports import statistics
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
    context = {
        "stats": stats,
        "errors": errors,
        "values": {"month": month, "township": request.GET.get("township", "")},
        "townships": statistics.townships_in_scope(request.user),
        "blocks": _blocks(stats),
    }
    for _, figures in context["blocks"]:
        figures["subtotals"] = statistics.category_totals(figures)
    return render(request, "reports/statistics.html", context, status=400 if errors else 200)


@require_GET
@login_required
def statistics_export(request):
    stats, errors, _ = _read(request)
    if stats is None:
        return statistics_page(request)
    area = request.user.area.name if request.user.area_id else ""
    response = HttpResponse(sheet.workbook(stats, area), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="statistics-{stats["month"]}.xlsx"'
    return response


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
            summary = {
                **summary,
                "sum": {k: sum(c[k] for c in summary["types"].values()) for k in sheet.MONITORED_KEYS},
            }
        blocks.append((scope, summary))
    context = {
        "stats": stats,
        "errors": errors,
        "values": {"month": month, "township": request.GET.get("township", "")},
        "townships": statistics.townships_in_scope(request.user),
        "blocks": blocks,
    }
    return render(request, "reports/monitored.html", context, status=400 if errors else 200)


@require_GET
@login_required
def monitored_export(request):
    stats, errors, _ = _read(request)
    if stats is None:
        return monitored_page(request)
    area = request.user.area.name if request.user.area_id else ""
    response = HttpResponse(sheet.monitored_workbook(stats, area), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="monitored-{stats["month"]}.xlsx"'
    return response
