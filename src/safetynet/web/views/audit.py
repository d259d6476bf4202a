"""The audit browse page, for roles with `Perm.VIEW_AUDIT` (auditor, administrator): filters
(actor, action, object, whole local days), sorting and pages through `web.lists`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.accounts.roles import Perm
from safetynet.web import labels, lists
from safetynet.web.lists import filters, tables
from safetynet.web.selectors import area_names, audit_records_visible_to
from safetynet.web.shell import login_required

PAGE_SIZE = 50


@require_GET
@login_required
def audit_list(request):
    user = request.user
    if not user.can(Perm.VIEW_AUDIT):
        raise DjangoPermissionDenied("您的角色无权查看审计日志。")
    base = audit_records_visible_to(user).order_by("-seq")
    listing = lists.show(request, filters.AuditFilter, base, tables.AuditTable, per_page=PAGE_SIZE)
    records = [row.record for row in listing.table.page.object_list]
    codes = {r.area for r in records if r.area}.union(*(labels.area_codes_in(r) for r in records))
    names = area_names(codes)  # areas by name: the actors' and those in the changes, one query
    listing.table.area_names = names
    for record in records:
        record.area_names = names
    return render(request, "web/audit_list.html", listing.context(), status=listing.status)
