"""特困供养方式 on the household page: the township records whether a 特困 member is supported in a
care institution (集中供养) or at home (分散供养), from a date; the timeline gets its next row."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.errors import SafetynetError, ValidationFailed
from safetynet.core.masking import mask_name
from safetynet.entitlements import selectors, services
from safetynet.entitlements.models import SupportMode
from safetynet.web import forms
from safetynet.web.shell import client_of, login_required, render_form_error
from safetynet.web.views.households import _household, _require

TEMPLATE = "web/changes/support_mode.html"
FIELDS = ("person_id", "support_mode", "on", "reason")


@require_http_methods(["GET", "POST"])
@login_required
def support_mode(request, pk):
    household = _household(request, pk)
    _require(request, Perm.RECORD_SUPPORT_MODE)
    today = clock.today()
    current = selectors.household_entitlement_on(request.user, household, today)
    tekun = [m for m in current.members.all() if m.category == "tekun"] if current else []
    context = {
        "household": household,
        "current": current,
        "tekun_members": tekun,
        "mode_choices": SupportMode.choices,
        "today": today.isoformat(),
        "values": dict(request.POST.items()) if request.method == "POST" else {"on": today.isoformat()},
    }
    if request.method == "GET":
        return render(request, TEMPLATE, context)
    post = request.POST
    try:
        raw = post.get("person_id", "").strip()
        if not raw.isdigit():
            raise ValidationFailed("请选择特困人员。", field="person_id")
        person_id = int(raw)
        row = services.record_support_mode(
            user=request.user,
            household=household,
            person_id=person_id,
            mode=post.get("support_mode", ""),
            on=forms.parse_date(post.get("on", ""), "on", "变更日期", required=True),
            reason=post.get("reason", ""),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, TEMPLATE, context, error, FIELDS)
    member = row.members.select_related("person").get(person_id=person_id)
    messages.success(
        request, f"已登记{mask_name(member.person.name)}的供养方式：{member.get_support_mode_display()}。"
    )
    return redirect("web:household", pk=household.pk)
