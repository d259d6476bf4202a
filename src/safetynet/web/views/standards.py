"""提标 in the web: the decisions applied, and the form that applies a new standard from a date."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safetynet.accounts.roles import Perm
from safetynet.cases import selectors, services
from safetynet.core.dates import parse_iso_date
from safetynet.core.errors import SafetynetError
from safetynet.web.shell import client_of, login_required


@require_http_methods(["GET", "POST"])
@login_required
def standard_changes(request):
    context = {
        "changes": selectors.standard_changes(request.user),
        "can_apply": request.user.can(Perm.COUNTY_FILE),
        "errors": {},
        "values": {},
    }
    if request.method == "POST":
        post = request.POST
        context["values"] = post
        try:
            change = services.apply_standard_change(
                user=request.user,
                effective_from=parse_iso_date(post.get("effective_from"), "effective_from"),
                document=post.get("document", ""),
                reason=post.get("reason", ""),
                client=client_of(request),
            )
        except SafetynetError as err:
            context["errors"] = {err.field or "form": err.message}
            return render(request, "cases/standard_changes.html", context, status=err.status)
        messages.success(
            request,
            f"提标已执行：{change.households}户重新计算，{change.changed}户金额调整，"
            f"{len(change.skipped)}户未调整（见原因），告知书和短信已生成。",
        )
        return redirect(reverse("cases:standards"))
    return render(request, "cases/standard_changes.html", context)
