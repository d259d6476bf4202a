"""领导小组驾驶舱 pages: the dashboard of a month (`/reports/dashboard/?month=&township=&category=`)
and the list behind each of its numbers (`/reports/dashboard/list/?kind=&period=…`). Parse, call
`dashboard`, attach the drill-down links, render (docs/dashboard.md). The stock numbers link to
the roster of the same day, township, category and mark; the others to the list of the very
rows they count. A viewer who may not list households (county finance) sees the numbers only."""

from __future__ import annotations

import functools
from urllib.parse import quote_plus, urlencode

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.core.glossary import CATEGORY_LABELS
from safetynet.dashboard import figures, lists, query
from safetynet.reports.rules import Month
from safetynet.rosters.query import CATEGORIES
from safetynet.web.shell import login_required

PAGE_SIZE = 50


def _url(name: str, **params) -> str:
    return _with_query(reverse(name), params)


@functools.lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    return quote_plus(text)


def _with_query(path: str, params: dict) -> str:
    """`path?urlencode(params)` without the empty values. A dashboard page carries a few hundred
    drill-down links made of the same few values (the day, the category, the townships' codes),
    so each value is quoted once (`urlencode` quotes every key and value each time)."""
    kept = [f"{_quoted(str(k))}={_quoted(str(v))}" for k, v in params.items() if v not in ("", None)]
    return path + ("?" + "&".join(kept) if kept else "")


def _parse(request):
    try:
        return query.parse(request.user, request.GET), {}
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None
    except NotFound:
        raise Http404("未找到该乡镇，或不在您的管辖范围内。") from None
    except ValidationFailed as error:
        return None, {error.field or "month": error.message}


def attach_links(data: dict, q: query.DashboardQuery) -> None:
    """Every number's drill-down URL, beside it (`…_url`)."""
    day, category = q.day.isoformat(), q.category
    roster_path, list_path = reverse("rosters:roster"), reverse("reports:dashboard_list")

    def roster(township: str, cat: str = "", marked: str = "") -> str:
        return _with_query(
            roster_path, {"on": day, "township": township, "category": cat or category, "marked": marked}
        )

    def listing(kind: str, period: str = "", township: str = "") -> str:
        return _with_query(
            list_path,
            {
                "kind": kind,
                "month": str(q.month),
                "township": township or (q.township.code if q.township else ""),
                "category": category,
                "period": period,
            },
        )

    stock = data["stock"]
    for row in [*stock["townships"], stock["total"]]:
        row["url"] = roster(row["code"])
        row["marked"]["url"] = roster(row["code"], marked="1")
        for c, cell in row["categories"].items():
            cell["url"] = roster(row["code"], c)
    for m in data["flows"]:
        m["inflow_url"], m["outflow_url"] = listing("inflow", m["month"]), listing("outflow", m["month"])
    for m in data["money"]:
        m["due_url"], m["paid_url"] = listing("due", m["month"]), listing("paid", m["month"])
    for m in data["leads"]["months"]:
        for k in ("raised", "handled", "confirmed"):
            m[f"{k}_url"] = listing(f"leads_{k}", m["month"])
    data["leads"]["pending_url"] = listing("leads_pending")
    for row in [*data["cases"]["townships"], data["cases"]["total"]]:
        for k in ("open", "due_soon", "overdue"):
            row[f"{k}_url"] = listing(f"cases_{k}", township=row.get("code", ""))
    data["lines_url"] = reverse("policy:parameters")


@require_GET
@login_required
def dashboard_page(request):
    q, errors = _parse(request)
    data = None
    if q is not None:
        data = figures.dashboard(request.user, q)
        data["drill"] = request.user.can(Perm.VIEW_HOUSEHOLD)
        if data["drill"]:
            attach_links(data, q)
    context = {
        "data": data,
        "errors": errors,
        "values": {
            "month": request.GET.get("month", "") or str(Month.of(clock.today())),
            "township": request.GET.get("township", ""),
            "category": request.GET.get("category", ""),
        },
        "townships": query.townships_in_scope(request.user),
        "categories": list(CATEGORIES.items()),
        "category_labels": CATEGORY_LABELS,
    }
    return render(request, "dashboard/dashboard.html", context, status=400 if errors else 200)


@require_GET
@login_required
def dashboard_list(request):
    q, errors = _parse(request)
    drill = None
    if q is not None:
        try:
            drill = lists.drill(request.user, q, request.GET)
        except PermissionDenied as error:
            raise DjangoPermissionDenied(error.message) from None
        except ValidationFailed as error:
            errors = {error.field or "kind": error.message}
    page = Paginator(drill.rows, PAGE_SIZE).get_page(request.GET.get("page")) if drill else None
    context = {
        "drill": drill,
        "page": page,
        "amount": drill.amount() if drill else None,
        "q": q,
        "errors": errors,
        "back": _url("reports:dashboard", **(q.echo() if q else {})),
        "query_string": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    return render(request, "dashboard/list.html", context, status=400 if errors else 200)
