"""The audit browse page, for roles with `Perm.VIEW_AUDIT` (auditor, administrator): filters
(actor, action, object, whole local days), sorting and pages through `web.lists`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.accounts.roles import Perm
from safetynet.web import lists
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
    page = listing.table.page.object_list
    listing.table.area_names = area_names(row.record.area for row in page if row.record.area)
    return render(request, "web/audit_list.html", listing.context(), status=listing.status)
