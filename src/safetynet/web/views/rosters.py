"""花名册 pages: the roster on a chosen date and agriculture's list of monitored households, with
the totals of the selection, sorting by header, 50 a page, and the Excel file (masked, or unmasked
with the permission and a reason). The query is parsed by `rosters.query` like the API's; an area
outside the viewer's reach is a 404, like one that does not exist (docs/rosters.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.accounts.roles import Perm
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES
from safetynet.entitlements.models import Entitlement
from safetynet.registry import selectors as registry
from safetynet.registry.models import Area
from safetynet.rosters import exports, query, selectors
from safetynet.web import lists
from safetynet.web.lists.rosters import MonitoredTable, RosterTable
from safetynet.web.shell import client_of, login_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGES = {
    "roster": ("花名册", RosterTable, "rosters:export"),
    "monitored": ("防返贫监测对象名单", MonitoredTable, "rosters:export"),
}


def _require(user) -> None:
    if not user.can(Perm.VIEW_ROSTER):
        raise DjangoPermissionDenied("您的角色无权查看花名册。")


def _parse(request, areas=None):
    """(query, errors): a refused value comes back beside its field with today's whole roster
    withheld (an empty table), an area outside the reach is a 404."""
    try:
        return query.parse(request.user, request.GET, areas=areas), {}
    except NotFound:
        raise Http404("未找到该地区，或不在您的管辖范围内。") from None
    except ValidationFailed as error:
        return None, {error.field or "form": error.message}


def _choices(areas) -> dict:
    return {
        "townships": [a for a in areas if a.level == Area.Level.TOWNSHIP],
        "villages": [a for a in areas if a.level == Area.Level.VILLAGE],
        "categories": list(query.CATEGORIES.items()),
        "monitoring_types": list(MONITORING_TYPES.items()),
    }


def _page(request, kind: str, *, errors=None, status=200):
    user = request.user
    _require(user)
    title, table_class, export_name = PAGES[kind]
    areas = registry.area_choices_visible_to(user)  # the selects' options and the query's lookups
    q, parse_errors = _parse(request, areas)
    errors = {**parse_errors, **(errors or {})}
    if q is not None and kind == "monitored":
        q = q.monitored()
    rows = selectors.roster(user, q) if q is not None else Entitlement.objects.none()
    if kind == "monitored":
        rows = selectors.with_households(rows)  # risk events and whether risk closure is possible
    summary = selectors.summary(user, q) if q is not None else None
    table = lists.configure(request, table_class(rows), count=summary["households"] if summary else 0)
    if kind == "monitored" and q is not None:
        table.outlook = selectors.closure_outlook([row.record for row in table.page.object_list], q.day)
    context = {
        "title": title,
        "kind": kind,
        "table": table,
        "q": q,
        "values": request.GET,
        "errors": errors,
        "totals": summary,
        "by_category": [
            {**c, "label": CATEGORY_LABELS.get(c["category"], c["category"])} for c in summary["by_category"]
        ]
        if summary
        else [],
        "export_name": export_name,
        "can_unmask": user.can(Perm.UNMASK_PERSONAL_DATA),
        "confirm_rows": exports.EXPORT_CONFIRM_ROWS,
        **_choices(areas),
    }
    return render(request, "rosters/roster.html", context, status=400 if parse_errors else status)


@require_GET
@login_required
def roster(request):
    return _page(request, "roster")


@require_GET
@login_required
def monitored(request):
    return _page(request, "monitored")


@require_GET
@login_required
def export(request):
    """The roster of the page's conditions as Excel; a refusal (too many rows without
    confirmation, unmasked without a reason) comes back on the roster page beside its field."""
    _require(request.user)
    q, errors = _parse(request)
    if q is None:
        return _page(request, "roster")
    if request.GET.get("kind") == "monitored":
        q = q.monitored()
    try:
        data = exports.roster_workbook(
            user=request.user,
            q=q,
            unmasked=request.GET.get("unmasked") == "1",
            reason=request.GET.get("reason", ""),
            confirm=request.GET.get("confirm") == "1",
            client=client_of(request),
        )
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None
    except ValidationFailed as error:
        kind = "monitored" if request.GET.get("kind") == "monitored" else "roster"
        return _page(request, kind, errors={error.field or "form": error.message}, status=400)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="roster-{q.day.isoformat()}.xlsx"'
    return response
