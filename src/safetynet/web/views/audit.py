"""The audit browse page, for roles with `Perm.VIEW_AUDIT` (auditor, administrator)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.accounts.roles import Perm
from safetynet.core.errors import ValidationFailed
from safetynet.web import forms, labels
from safetynet.web.selectors import area_names, audit_actions, search_audit
from safetynet.web.shell import FORM, login_required

PAGE_SIZE = 50


@require_GET
@login_required
def audit_list(request):
    user = request.user
    if not user.can(Perm.VIEW_AUDIT):
        raise DjangoPermissionDenied("您的角色无权查看审计日志。")
    get = request.GET
    values = {
        k: get.get(k, "").strip()
        for k in ("actor", "action", "object_type", "object_id", "date_from", "date_to")
    }
    errors = {}
    dates = {}
    for name, label in (("date_from", "起始日期"), ("date_to", "截止日期")):
        try:
            dates[name] = forms.parse_date(values[name], name, label)
        except ValidationFailed as error:
            errors[name] = error.message
            dates[name] = None
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        errors[FORM] = "起始日期不能晚于截止日期。"
    records = search_audit(
        user,
        actor=values["actor"],
        action=values["action"],
        object_type=values["object_type"],
        object_id=values["object_id"],
        **dates,
    )
    page = Paginator(records, PAGE_SIZE).get_page(get.get("page"))
    names = area_names(r.area for r in page if r.area)
    context = {
        "page": page,
        "values": values,
        "errors": errors,
        "area_names": names,
        "actions": [(a, labels.action_label(a)) for a in audit_actions(user)],
        "object_types": list(labels.OBJECT_TYPE_LABELS.items()),
    }
    return render(request, "web/audit_list.html", context, status=400 if errors else 200)
