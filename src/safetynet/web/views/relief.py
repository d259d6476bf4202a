"""临时救助 in the web: the list in reach (overdue paperwork first), a new application, one
application with the actions the role may take (先行救助, decision, county decision, cash with a
receipt), the township's reserve fund with its monthly statement, and the relief notice.
Views parse, call `relief.services`/`selectors` and render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.errors import SafetynetError
from safetynet.relief import selectors, services
from safetynet.relief.models import ReliefKind
from safetynet.web import lists
from safetynet.web.lists.relief import ReliefFilter, ReliefTable
from safetynet.web.shell import client_of, login_required, render_form_error

APPLY_FIELDS = (
    "kind",
    "reason",
    "amount_asked",
    "household_id",
    "village",
    "applicant_name",
    "applicant_phone",
)
ACTION_FIELDS = ("amount", "pay_method", "note", "receipt")


def _month(request) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{request.GET.get('month', '')}-01")
    except ValueError:
        return clock.today().replace(day=1)


@login_required
def relief_list(request):
    user = request.user
    base = selectors.applications_visible_to(user).select_related("township").order_by("-id")
    listing = lists.show(request, ReliefFilter, base, ReliefTable)
    return render(
        request,
        "relief/list.html",
        {
            **listing.context(),
            "overdue": list(selectors.paperwork_overdue(user)[:50]),
            "can_apply": user.can(Perm.APPLY_RELIEF),
            "townships": list(selectors.townships_visible_to(user)[:50]),
        },
        status=listing.status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def relief_new(request):
    user = request.user
    context = {"kinds": ReliefKind.choices, "values": request.POST or request.GET, "errors": {}}
    if request.method == "POST":
        p = request.POST
        try:
            app = services.apply_relief(
                user=user,
                kind=p.get("kind", ""),
                reason=p.get("reason", ""),
                amount_asked=p.get("amount_asked", ""),
                household_id=p.get("household_id") or None,
                village=p.get("village", ""),
                applicant_name=p.get("applicant_name", ""),
                applicant_phone=p.get("applicant_phone", ""),
                client=client_of(request),
            )
        except SafetynetError as err:
            return render_form_error(request, "relief/new.html", context, err, APPLY_FIELDS)
        messages.success(request, f"已受理临时救助申请{app.reference}。")
        return redirect(reverse("relief:detail", args=[app.pk]))
    return render(request, "relief/new.html", context)


ACTIONS = {
    "pay_first": lambda r, a: services.pay_relief_first(
        user=r.user, application=a, amount=r.POST.get("amount", ""), client=client_of(r)
    ),
    "approve": lambda r, a: services.decide_relief(
        user=r.user,
        application=a,
        approve=True,
        amount=r.POST.get("amount", ""),
        pay_method=r.POST.get("pay_method", ""),
        note=r.POST.get("note", ""),
        client=client_of(r),
    ),
    "refuse": lambda r, a: services.decide_relief(
        user=r.user, application=a, approve=False, note=r.POST.get("note", ""), client=client_of(r)
    ),
    "county_approve": lambda r, a: services.county_decide_relief(
        user=r.user, application=a, approve=True, note=r.POST.get("note", ""), client=client_of(r)
    ),
    "county_refuse": lambda r, a: services.county_decide_relief(
        user=r.user, application=a, approve=False, note=r.POST.get("note", ""), client=client_of(r)
    ),
    "cash": lambda r, a: services.record_cash_payment(
        user=r.user, application=a, receipt=r.FILES.get("receipt"), client=client_of(r)
    ),
}
DONE = {
    "pay_first": "已从备用金先行支付，请在时限内补齐调查、核实和审批手续。",
    "approve": "已审批。",
    "refuse": "已决定不予救助。",
    "county_approve": "县级已批准。",
    "county_refuse": "县级不予批准。",
    "cash": "已登记现金发放。",
}


@require_http_methods(["GET", "POST"])
@login_required
def relief_detail(request, pk: int):
    user = request.user
    app = selectors.get_application(user, pk)
    fund = selectors.fund_of(app.township)
    context = {
        "app": app,
        "fund": fund,
        "limits": services.relief_limits(app.township.code, app.kind, clock.today()),
        "can_decide": user.can(Perm.DECIDE_RELIEF) and user.area_id and user.area.code == app.township.code,
        "can_county": user.can(Perm.APPROVE_RELIEF),
        "entries": list(app.fund_entries.all()),
        "errors": {},
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return redirect(reverse("relief:detail", args=[app.pk]))
        try:
            ACTIONS[action](request, app)
        except SafetynetError as err:
            return render_form_error(request, "relief/detail.html", context, err, ACTION_FIELDS)
        messages.success(request, DONE[action])
        return redirect(reverse("relief:detail", args=[app.pk]))
    return render(request, "relief/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def fund(request, township: str):
    user = request.user
    month = _month(request)
    statement = selectors.monthly_statement(user, township, month)
    context = {
        "s": statement,
        "fund": selectors.fund_of(statement.township),
        "can_allocate": user.can(Perm.ALLOCATE_RESERVE),
        "can_return": user.can(Perm.DECIDE_RELIEF),
        "errors": {},
    }
    if request.method == "POST":
        kind = request.POST.get("action", "")
        try:
            if kind == "allocate":
                services.allocate_reserve(
                    user=user,
                    township=township,
                    amount=request.POST.get("amount", ""),
                    note=request.POST.get("note", ""),
                    client=client_of(request),
                )
            else:
                services.record_return(
                    user=user,
                    township=township,
                    amount=request.POST.get("amount", ""),
                    note=request.POST.get("note", ""),
                    application_id=request.POST.get("application_id") or None,
                    client=client_of(request),
                )
        except SafetynetError as err:
            return render_form_error(
                request, "relief/fund.html", context, err, ("amount", "note", "application_id")
            )
        messages.success(request, "已记入备用金台账。")
        return redirect(reverse("relief:fund", args=[township]) + f"?month={month:%Y-%m}")
    return render(request, "relief/fund.html", context)


@login_required
def notice(request, township: str):
    month = _month(request)
    area = selectors.get_township(request.user, township)
    rows = selectors.public_notice(township, month)
    return render(request, "relief/notice.html", {"township": area, "month": month, "rows": rows})
