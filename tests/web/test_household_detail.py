"""Household detail: masked by default, unmasking needs a permission and a reason and is
audited, and an object outside the user's area answers exactly as a missing one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.core.masking import mask_id_number
from safetynet.registry.models import Membership
from tests.conftest import VILLAGE_B
from tests.web.conftest import HTMX


def _url(h) -> str:
    return reverse("web:household", args=[h.pk])


def _reveal_url(h, m) -> str:
    return reverse("web:member_reveal", args=[h.pk, m.pk])


def test_detail_shows_masked_identifiers_and_never_the_plaintext(register, clerk, client_for):
    h = register["a"]
    html = client_for(clerk).get(_url(h)).content.decode()
    plain = register["a_head_id"]
    assert mask_id_number(plain) in html
    assert plain not in html
    assert "13912345678" not in html and "139****5678" in html
    assert "6222021234567890123" not in html and "0123" in html
    assert "王*国" in html and "王建国" not in html and "李*英" in html
    assert "东关街8号" in html and "户主" in html and "配偶" in html and "计入" in html


def test_detail_lists_members_fields_and_the_households_audit(register, clerk, client_for):
    html = client_for(clerk).get(_url(register["a"])).content.decode()
    for text in (
        "残疾",
        "重大疾病",
        "全日制在校",
        "不能自理的活动",
        "劳动能力",
        "有劳动能力",
        "最近的变更记录",
        "新建户",
    ):
        assert text in html


@pytest.mark.parametrize(
    ("role", "area", "target"),
    [
        (Role.VILLAGE_OFFICER, "141029100201", "b"),  # neighbouring village
        (Role.TOWNSHIP_CLERK, "141029100", "c"),  # other township
        (Role.DEPT_LIAISON, "141029", "a"),  # sees no household at all
    ],
)
def test_household_outside_area_is_404_like_a_missing_one(
    role, area, target, register, make_user, client_for
):
    c = client_for(make_user(role, area, "outsider"))
    h = register[target]
    outside = c.get(_url(h))
    missing = c.get(reverse("web:household", args=[999999]))
    assert outside.status_code == missing.status_code == 404
    assert "不在您的管辖范围内" in outside.content.decode()
    strip = re.compile(r"[A-Za-z0-9]{64}")  # CSRF tokens differ per response
    assert strip.sub("", outside.content.decode()) == strip.sub("", missing.content.decode())
    m = Membership.objects.filter(household=h).first()
    for name in ("member_edit", "member_end", "member_reveal", "member_row"):
        assert c.get(reverse(f"web:{name}", args=[h.pk, m.pk])).status_code == 404
    assert c.post(reverse("web:household_edit", args=[h.pk]), {"address": "x"}).status_code == 404


def test_member_of_another_household_is_404_under_this_one(register, clerk, client_for):
    other = Membership.objects.filter(household=register["b"]).first()
    r = client_for(clerk).get(reverse("web:member_edit", args=[register["a"].pk, other.pk]))
    assert r.status_code == 404


def test_reveal_asks_for_a_reason_then_shows_plaintext_in_place_and_audits(register, clerk, client_for):
    h = register["a"]
    head = h.memberships.get(relation="head")
    c = client_for(clerk)
    form = c.get(_reveal_url(h, head), **HTMX).content.decode()
    assert "查看原因" in form and register["a_head_id"] not in form
    r = c.post(_reveal_url(h, head), {"reason": "核对发放账号"}, **HTMX)
    html = r.content.decode()
    assert r.status_code == 200
    assert register["a_head_id"] in html and "13912345678" in html and "6222021234567890123" in html
    assert "王建国" in html
    assert r["Cache-Control"] == "no-store"
    rec = AuditRecord.objects.get(action="person.unmask")
    assert (rec.actor, rec.object_id, rec.reason) == (clerk.username, str(head.person_id), "核对发放账号")


def test_reveal_without_reason_shows_error_and_reveals_nothing(register, clerk, client_for):
    h = register["a"]
    head = h.memberships.get(relation="head")
    r = client_for(clerk).post(_reveal_url(h, head), {"reason": "  "}, **HTMX)
    html = r.content.decode()
    assert r.status_code == 400
    assert 'id="err-reason"' in html and "查看完整个人信息须填写原因。" in html
    assert register["a_head_id"] not in html
    assert not AuditRecord.objects.filter(action="person.unmask").exists()


def test_reveal_is_refused_to_a_role_without_the_permission(register, users, client_for):
    h = register["a"]
    head = h.memberships.get(relation="head")
    c = client_for(users["review_member"])
    page = c.get(_url(h)).content.decode()
    assert "查看完整信息" not in page
    r = c.post(_reveal_url(h, head), {"reason": "想看看"}, **HTMX)
    assert r.status_code == 403
    assert register["a_head_id"] not in r.content.decode()
    assert not AuditRecord.objects.filter(action="person.unmask").exists()


def test_reveal_button_only_with_the_permission(register, users, client_for):
    h = register["a"]
    assert "查看完整信息" in client_for(users["township_clerk"]).get(_url(h)).content.decode()
    assert "查看完整信息" not in client_for(users["auditor"]).get(_url(h)).content.decode()


def test_auditor_sees_household_but_no_edit_buttons(register, users, client_for):
    html = client_for(users["auditor"]).get(_url(register["a"])).content.decode()
    assert "修改户信息" not in html and "添加成员" not in html and ">编辑<" not in html
    assert "在审计日志中查看本户全部记录" in html


def test_past_members_are_listed_with_leave_date_and_reason(register, clerk, client_for):
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    today = timezone.localdate().isoformat()
    c = client_for(clerk)
    r = c.post(
        reverse("web:member_end", args=[h.pk, spouse.pk]),
        {"left_on": today, "left_reason": "迁出", "version": h.version},
        **HTMX,
    )
    assert r.status_code == 200
    html = c.get(_url(h)).content.decode()
    assert "曾经的家庭成员" in html and today in html and "迁出" in html
    assert "现有家庭成员（1人）" in html


def test_home_counts_only_the_users_area(register, officer, users, client_for):
    html = client_for(officer).get(reverse("web:home")).content.decode()
    assert "<dt>户数</dt><dd>1</dd>" in html
    html = client_for(users["county_civil"]).get(reverse("web:home")).content.decode()
    assert "<dt>户数</dt><dd>3</dd>" in html
    html = client_for(users["dept_liaison"]).get(reverse("web:home")).content.decode()
    assert "不能查看户档案" in html


def test_village_b_officer_cannot_see_village_a(register, make_user, client_for):
    c = client_for(make_user(Role.VILLAGE_OFFICER, VILLAGE_B, "officer_b"))
    assert c.get(_url(register["b"])).status_code == 200
    assert c.get(_url(register["a"])).status_code == 404


def test_the_household_audit_shows_village_names_not_codes(client_for, make_user, make_household):
    from safetynet.accounts.roles import Role
    from safetynet.audit.services import SYSTEM, record_audit
    from safetynet.registry.models import Area
    from tests.conftest import VILLAGE_A, VILLAGE_B

    h = make_household(VILLAGE_A)
    record_audit(
        actor=SYSTEM,
        action="household.update",
        object_type="household",
        object_id=h.pk,
        changes={"village": [VILLAGE_A, VILLAGE_B]},
    )
    page = (
        client_for(make_user(Role.TOWNSHIP_CLERK, VILLAGE_A[:9])).get(f"/households/{h.pk}/").content.decode()
    )
    names = [Area.objects.get(code=c).name for c in (VILLAGE_A, VILLAGE_B)]
    section = page[page.index('id="household-audit"') :]
    assert all(n in section for n in names) and VILLAGE_B not in section
