"""Web pages of the yearly review campaigns (年度复核): the list with the form to open one (county
civil affairs), a campaign's progress per township and, for one township, per village, and the
cases behind a figure. Views parse, call `campaigns.services` / `campaigns.selectors` and render;
a failing form comes back with its message beside the field (400/409)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.accounts.roles import Perm
from safetynet.campaigns import selectors, services
from safetynet.core import clock
from safetynet.core.errors import NotFound, SafetynetError
from safetynet.registry.models import Area
from safetynet.web.shell import client_of, errors_of, login_required, status_of

FIELDS = ("name", "area", "starts_on", "ends_on")
COLUMNS = (
    ("due", "应复核"),
    ("skipped", "跳过"),
    ("verified", "已核对"),
    ("unchanged", "无变化"),
    ("changed", "变更"),
    ("stopped", "停发"),
    ("overdue", "超期"),
)


def _campaign(request, pk):
    try:
        return selectors.get_campaign(request.user, pk)
    except NotFound:
        raise Http404("未找到该复核。") from None


@require_http_methods(["GET", "POST"])
@login_required
def campaign_list(request):
    user = request.user
    today = clock.today()
    can_open = user.can(Perm.OPEN_REVIEW_CAMPAIGN)
    values = {
        "name": f"{today.year}年度复核",
        "starts_on": f"{today.year}-07-01",
        "ends_on": f"{today.year}-08-31",
    }
    errors, status = {}, 200
    if request.method == "POST":
        try:
            campaign = services.open_campaign(
                user=user,
                name=request.POST.get("name", ""),
                area_code=request.POST.get("area", ""),
                starts_on=request.POST.get("starts_on", ""),
                ends_on=request.POST.get("ends_on", ""),
                client=client_of(request),
            )
            messages.success(request, f"已开启“{campaign.name}”，正在后台生成复核案件。")
            return redirect("campaigns:detail", campaign.pk)
        except SafetynetError as err:
            errors, status, values = errors_of(err, FIELDS), status_of(err), request.POST
    areas = []
    if can_open and user.area_id:
        areas = [user.area, *Area.objects.filter(level=Area.Level.TOWNSHIP, code__startswith=user.area.code)]
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": selectors.campaigns_visible_to(user)[:100],
            "can_open": can_open,
            "areas": areas,
            "values": values,
            "errors": errors,
        },
        status=status,
    )


@require_GET
@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    township = request.GET.get("township", "")
    if township and not (len(township) == 9 and township.isdigit()):
        township = ""
    progress = selectors.progress(request.user, campaign, today=clock.today(), township=township)
    rows = [
        {"code": r.code, "name": r.name, "cells": [(k, label, r.figures[k]) for k, label in COLUMNS]}
        for r in progress["rows"]
    ]
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "level": progress["level"],
            "rows": rows,
            "totals": [(label, progress["total"][k]) for k, label in COLUMNS],
            "township": township,
            "columns": COLUMNS,
        },
    )


STATUS_LABELS = {
    "verified": "已核对",
    "unchanged": "无变化",
    "changed": "变更",
    "stopped": "停发",
    "overdue": "超期",
    "pending": "待核对",
}


@require_GET
@login_required
def campaign_cases(request, pk):
    campaign = _campaign(request, pk)
    village = request.GET.get("village", "")
    status = request.GET.get("status", "")
    rows = selectors.case_rows(request.user, campaign, village=village, status=status, today=clock.today())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_cases.html",
        {
            "campaign": campaign,
            "page": page,
            "village": village,
            "status": status,
            "status_label": STATUS_LABELS.get(status, ""),
            "today": clock.today(),
            "query": f"village={village}&status={status}",
        },
    )
