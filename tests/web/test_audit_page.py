"""The audit browse page: auditors and administrators only; filters; newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from safetynet.accounts.roles import Perm, Role, has_perm
from safetynet.audit.models import AuditRecord
from tests.web.conftest import HTMX


@pytest.mark.parametrize("role", [r for r in Role if not has_perm(r, Perm.VIEW_AUDIT)])
def test_audit_page_is_forbidden_to_roles_without_audit_view(role, users, client_for):
    assert client_for(users[role.value]).get(reverse("web:audit")).status_code == 403


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditor_and_admin_browse_newest_first(role, register, users, client_for):
    html = client_for(users[role.value]).get(reverse("web:audit")).content.decode()
    newest = AuditRecord.objects.order_by("-seq").first()
    oldest = AuditRecord.objects.order_by("seq").first()
    assert html.index(f'<td data-label="序号">{newest.seq}</td>') < html.index(
        f'<td data-label="序号">{oldest.seq}</td>'
    )
    assert "新建户" in html and "fixture_admin" in html and "系统管理员" in html


def test_audit_page_shows_changes_reason_role_and_area(register, clerk, users, client_for):
    h = register["a"]
    head = h.memberships.get(relation="head")
    client_for(clerk).post(reverse("web:member_reveal", args=[h.pk, head.pk]), {"reason": "核对身份"}, **HTMX)
    client_for(clerk).post(
        reverse("web:household_edit", args=[h.pk]),
        {
            "village": h.village.code,
            "address": "新地址1号",
            "hukou": "rural",
            "alleviated": "on",
            "version": h.version,
        },
        **HTMX,
    )
    html = client_for(users["auditor"]).get(reverse("web:audit"), {"actor": clerk.username}).content.decode()
    assert "查看完整个人信息" in html and "核对身份" in html
    assert "乡镇窗口工作人员" in html and "昌宁镇" in html
    assert "<del>东关街8号</del> → <ins>新地址1号</ins>" in html
    assert "fixture_admin" not in html


def test_audit_filters_by_action_object_and_dates(register, users, client_for):
    c = client_for(users["auditor"])
    h = register["b"]
    html = c.get(reverse("web:audit"), {"action": "household.create"}).content.decode()
    assert html.count('<td data-label="操作">新建户</td>') == 3
    html = c.get(reverse("web:audit"), {"object_type": "household", "object_id": h.pk}).content.decode()
    assert html.count('<td data-label="操作">新建户</td>') == 1 and f">户{h.pk}</a>" in html
    today = timezone.localdate()
    html = c.get(
        reverse("web:audit"),
        {"date_from": today.isoformat(), "date_to": today.isoformat(), "action": "household.create"},
    ).content.decode()
    assert "共 3 条" in html
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert "共 0 条" in c.get(reverse("web:audit"), {"date_to": yesterday}).content.decode()


def test_audit_filter_with_bad_dates_says_so(register, users, client_for):
    c = client_for(users["auditor"])
    r = c.get(reverse("web:audit"), {"date_from": "2024-02-30"})
    assert r.status_code == 400 and 'id="err-date_from"' in r.content.decode()
    r = c.get(reverse("web:audit"), {"date_from": "2024-03-02", "date_to": "2024-03-01"})
    assert "起始日期不能晚于截止日期。" in r.content.decode()


def test_audit_page_masks_names_in_changes(register, users, client_for):
    html = (
        client_for(users["auditor"]).get(reverse("web:audit"), {"action": "person.create"}).content.decode()
    )
    assert "王*国" in html and "王建国" not in html
    assert register["a_head_id"] not in html


def test_audit_page_is_paginated(register, users, client_for, settings):
    from safetynet.web.views import audit

    c = client_for(users["auditor"])
    total = AuditRecord.objects.count()
    original = audit.PAGE_SIZE
    audit.PAGE_SIZE = 2
    try:
        html = c.get(reverse("web:audit")).content.decode()
    finally:
        audit.PAGE_SIZE = original
    assert f"共 {total} 条" in html and html.count('data-label="序号"') == 2 and "下一页" in html


def test_audit_page_renders_a_record_whose_changes_hold_a_summary_dict(users, client_for):
    """The comparison run records {"parameters": {...}, "periods": {...}}: the page answered 500."""
    from safetynet.audit.services import SYSTEM, record_audit

    record_audit(
        actor=SYSTEM,
        action="exchange.compare",
        object_type="comparison_run",
        object_id=1,
        changes={
            "engine": "spark",
            "leads_raised": 3,
            "periods": {"hukou": "2026-12"},
            "parameters": {"version": "v1", "digest": "abc"},
        },
    )
    for role in (Role.AUDITOR, Role.ADMIN):
        response = client_for(users[role])
        page = response.get(reverse("web:audit"))
        assert page.status_code == 200
        assert "2026-12" in page.content.decode() and "abc" in page.content.decode()
