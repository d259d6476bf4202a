"""Creating and editing households and members through the forms: happy paths, and bad input
shown in Chinese beside its field with the user's input kept and nothing half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.registry.models import Household, Membership, Person
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, new_id
from tests.web.conftest import HTMX


@pytest.fixture
def c(clerk, client_for) -> Client:
    return client_for(clerk)


def _error(html: str, field: str, message: str) -> bool:
    return f'<p class="field-error" id="err-{field}" role="alert">{message}' in html


def _new_household(**overrides) -> dict:
    data = {
        "village": VILLAGE_A,
        "address": "东关街20号",
        "hukou": "rural",
        "alleviated": "on",
        "id_number": new_id(dt.date(1980, 1, 2)),
        "name": "陈大山",
        "co_resident": "on",
        "labour_capacity": "full",
        "joined_on": "",
        "disability_kind": "",
        "disability_grade": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---- create -----------------------------------------------------------------------------------


def test_create_household_with_its_head(county, c):
    data = _new_household(
        phone="13800001111",
        disability_kind="physical",
        disability_grade="2",
        self_care_failed=["eating", "bathing"],
        major_illness="on",
    )
    r = c.post(reverse("web:household_new"), data)
    h = Household.objects.get(address="东关街20号")
    assert r.status_code == 302 and r["Location"] == reverse("web:household", args=[h.pk])
    assert h.alleviated and h.village.code == VILLAGE_A and h.head.name == "陈大山"
    p = h.head
    assert (p.disability_kind, p.disability_grade, p.major_illness) == ("physical", 2, True)
    assert p.self_care_failed == ["eating", "bathing"] and p.phone == "13800001111"
    assert AuditRecord.objects.filter(action="household.create", object_id=str(h.pk)).exists()
    page = c.get(r["Location"]).content.decode()
    assert "陈*山" in page and "肢体2级" in page and "吃饭、洗澡" in page


def test_create_with_invalid_id_shows_chinese_error_beside_the_field_and_saves_nothing(county, c):
    good = new_id(dt.date(1980, 1, 2))
    data = _new_household(id_number=good[:17] + ("0" if good[17] != "0" else "1"))
    before = (Household.objects.count(), Person.objects.count())
    r = c.post(reverse("web:household_new"), data)
    html = r.content.decode()
    assert r.status_code == 400
    assert _error(html, "id_number", "身份证号码校验位错误，请核对。")
    assert 'aria-invalid="true" aria-describedby="err-id_number"' in html
    assert 'value="东关街20号"' in html and 'value="陈大山"' in html  # input kept
    assert (Household.objects.count(), Person.objects.count()) == before


def test_create_with_short_id_names_its_length(county, c):
    r = c.post(reverse("web:household_new"), _new_household(id_number="14102919800102"))
    assert _error(r.content.decode(), "id_number", "身份证号码应为18位，现为14位。")


def test_create_with_sex_not_matching_the_id(county, c):
    number = new_id(dt.date(1980, 1, 2))
    wrong = "F" if int(number[16]) % 2 else "M"
    r = c.post(reverse("web:household_new"), _new_household(id_number=number, sex=wrong))
    assert r.status_code == 400 and 'id="err-sex"' in r.content.decode()


def test_create_with_unparseable_birth_date(county, c):
    r = c.post(reverse("web:household_new"), _new_household(birth_date="1980-13-40"))
    assert r.status_code == 400 and 'id="err-birth_date"' in r.content.decode()
    assert "不是有效日期" in r.content.decode()


def test_create_without_address_or_with_unknown_village(county, c):
    r = c.post(reverse("web:household_new"), _new_household(address=" "))
    assert _error(r.content.decode(), "address", "请填写住址。")
    r = c.post(reverse("web:household_new"), _new_household(village="141029999999"))
    assert r.status_code == 400 and 'id="err-village"' in r.content.decode()
    assert "不在您的管辖范围内" in r.content.decode()
    assert not Household.objects.exists()


def test_create_in_a_village_outside_reach_is_refused_at_the_village_field(county, c):
    r = c.post(reverse("web:household_new"), _new_household(village=VILLAGE_C))
    assert r.status_code == 400 and 'id="err-village"' in r.content.decode()


def test_create_with_a_person_counted_in_another_household_names_that_household(register, c):
    data = _new_household(id_number=register["a_head_id"], name="王建国")
    r = c.post(reverse("web:household_new"), data)
    html = r.content.decode()
    assert r.status_code == 409
    assert 'id="err-id_number"' in html
    assert f"东关村 户{register['a'].pk}" in html and "不能同时计入两户" in html
    assert Household.objects.count() == 3


def test_duplicate_member_is_not_named_to_someone_who_cannot_see_its_household(
    register, make_user, client_for
):
    other = client_for(make_user(Role.VILLAGE_OFFICER, VILLAGE_B, "officer_b"))
    data = _new_household(village=VILLAGE_B, id_number=register["a_head_id"], name="王建国")
    html = other.post(reverse("web:household_new"), data).content.decode()
    assert "另一户（不在您的管辖范围内）" in html and f"户{register['a'].pk}" not in html


def test_create_page_is_forbidden_to_roles_that_cannot_create(county, users, client_for):
    c = client_for(users["review_member"])
    assert c.get(reverse("web:household_new")).status_code == 403
    assert c.post(reverse("web:household_new"), _new_household()).status_code == 403
    assert not Household.objects.exists()


# ---- edit the household -----------------------------------------------------------------------


def test_edit_household_inline_and_see_the_change_in_its_audit(register, c):
    h = register["a"]
    url = reverse("web:household_edit", args=[h.pk])
    form = c.get(url, **HTMX).content.decode()
    assert f'name="version" value="{h.version}"' in form
    r = c.post(
        url, {"village": VILLAGE_A, "address": "东关街9号", "hukou": "urban", "version": h.version}, **HTMX
    )
    assert r.status_code == 200 and r["HX-Retarget"] == "#household-body"
    html = r.content.decode()
    assert "东关街9号" in html and "非农业户口（城镇）" in html and "修改户信息" in html
    assert "东关街8号" in html  # the audit section shows before → after
    h.refresh_from_db()
    assert (h.address, h.hukou, h.alleviated, h.version) == ("东关街9号", "urban", False, 2)


def test_edit_household_with_a_stale_version_shows_the_conflict_and_keeps_input(register, c):
    h = register["a"]
    url = reverse("web:household_edit", args=[h.pk])
    c.post(
        url,
        {
            "village": VILLAGE_A,
            "address": "东关街9号",
            "hukou": "rural",
            "alleviated": "on",
            "version": h.version,
        },
        **HTMX,
    )
    r = c.post(
        url, {"village": VILLAGE_A, "address": "东关街10号", "hukou": "rural", "version": h.version}, **HTMX
    )
    html = r.content.decode()
    assert r.status_code == 409
    assert _error(html, "form", "该户信息已被他人修改，请刷新后重试。")
    assert 'value="东关街10号"' in html
    h.refresh_from_db()
    assert h.address == "东关街9号"


def test_edit_household_with_blank_address(register, c):
    h = register["a"]
    r = c.post(
        reverse("web:household_edit", args=[h.pk]),
        {"village": VILLAGE_A, "address": "", "hukou": "rural", "version": h.version},
        **HTMX,
    )
    assert r.status_code == 400 and _error(r.content.decode(), "address", "请填写住址。")


def test_household_edit_is_forbidden_to_a_read_only_role(register, users, client_for):
    h = register["a"]
    c = client_for(users["auditor"])
    assert c.get(reverse("web:household_edit", args=[h.pk]), **HTMX).status_code == 403
    r = c.post(
        reverse("web:household_edit", args=[h.pk]), {"address": "x", "village": VILLAGE_A, "hukou": "rural"}
    )
    assert r.status_code == 403


# ---- members ----------------------------------------------------------------------------------


def _member(**overrides) -> dict:
    data = {
        "id_number": new_id(dt.date(2010, 3, 4)),
        "name": "王小宝",
        "relation": "child",
        "co_resident": "on",
        "labour_capacity": "none",
        "fulltime_education": "on",
        "joined_on": "2010-03-04",
    }
    data.update(overrides)
    return data


def test_add_member_swaps_the_household_body(register, c):
    h = register["a"]
    url = reverse("web:member_new", args=[h.pk])
    assert "添加成员" in c.get(url, **HTMX).content.decode()
    r = c.post(url, {**_member(), "version": h.version}, **HTMX)
    assert r.status_code == 200 and r["HX-Retarget"] == "#household-body"
    assert "现有家庭成员（3人）" in r.content.decode() and "王*宝" in r.content.decode()
    m = Membership.objects.get(household=h, person__name="王小宝")
    assert m.joined_on == dt.date(2010, 3, 4) and m.person.fulltime_education


def test_add_member_with_invalid_id_keeps_input_and_saves_nothing(register, c):
    h = register["a"]
    good = new_id(dt.date(2010, 3, 4))
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = c.post(
        reverse("web:member_new", args=[h.pk]), {**_member(id_number=bad), "version": h.version}, **HTMX
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert _error(html, "id_number", "身份证号码校验位错误，请核对。")
    assert 'value="王小宝"' in html
    assert not Person.objects.filter(name="王小宝").exists()
    h.refresh_from_db()
    assert h.version == 1


def test_add_member_counted_in_another_household_names_it(register, c):
    h = register["b"]
    r = c.post(
        reverse("web:member_new", args=[h.pk]),
        {**_member(id_number=register["a_head_id"], name="王建国", relation="parent"), "version": h.version},
        **HTMX,
    )
    html = r.content.decode()
    assert r.status_code == 409
    assert 'id="err-id_number"' in html and f"东关村 户{register['a'].pk}" in html
    assert Membership.objects.filter(household=h).count() == 1


def test_add_member_not_counted_needs_no_clash(register, c):
    h = register["b"]
    r = c.post(
        reverse("web:member_new", args=[h.pk]),
        {
            **_member(
                id_number=register["a_head_id"],
                name="王建国",
                relation="parent",
                co_resident="",
                not_counted_reason="not_coresident",
            ),
            "version": h.version,
        },
        **HTMX,
    )
    assert r.status_code == 200
    m = Membership.objects.get(household=h, relation="parent")
    assert not m.counted and "未共同生活" in r.content.decode()


def test_edit_member_form_never_shows_stored_identifiers(register, c):
    h = register["a"]
    head = h.memberships.get(relation="head")
    html = c.get(reverse("web:member_edit", args=[h.pk, head.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{head.pk}"')
    assert (
        register["a_head_id"] not in html and "13912345678" not in html and "6222021234567890123" not in html
    )
    assert "王建国" not in html and "王*国" in html
    for name in ("eating", "dressing", "transfer", "toileting", "walking", "bathing"):
        assert f'value="{name}"' in html


def test_edit_member_updates_person_and_membership_and_audits(register, c):
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    r = c.post(
        reverse("web:member_edit", args=[h.pk, spouse.pk]),
        {
            "version": h.version,
            "name": "",
            "relation": "spouse",
            "co_resident": "on",
            "disability_kind": "visual",
            "disability_grade": "1",
            "self_care_failed": ["walking"],
            "labour_capacity": "partial",
            "phone": "13700002222",
            "bank_account": "",
        },
        **HTMX,
    )
    assert r.status_code == 200 and r["HX-Retarget"] == "#household-body"
    html = r.content.decode()
    assert "视力1级" in html and "室内行走" in html and "部分丧失劳动能力" in html
    p = Person.objects.get(pk=spouse.person_id)
    assert (p.name, p.disability_kind, p.disability_grade, p.phone) == ("李秀英", "visual", 1, "13700002222")
    rec = AuditRecord.objects.filter(action="person.update", object_id=str(p.pk)).get()
    assert rec.changes["disability_kind"] == ["", "visual"]
    assert rec.changes["phone"][1] == "137****2222"
    assert "137****2222" in html and "13700002222" not in html


def test_edit_member_blank_identifiers_keep_the_stored_ones_unless_cleared(register, c):
    h = register["a"]
    head = h.memberships.get(relation="head")
    url = reverse("web:member_edit", args=[h.pk, head.pk])
    base = {
        "relation": "head",
        "co_resident": "on",
        "labour_capacity": "full",
        "name": "",
        "phone": "",
        "bank_account": "",
    }
    assert c.post(url, {**base, "version": 1, "major_illness": "on"}, **HTMX).status_code == 200
    p = Person.objects.get(pk=head.person_id)
    assert (p.name, p.phone, p.bank_account, p.major_illness) == (
        "王建国",
        "13912345678",
        "6222021234567890123",
        True,
    )
    assert c.post(url, {**base, "version": 2, "clear_phone": "on"}, **HTMX).status_code == 200
    p.refresh_from_db()
    assert p.phone == "" and p.bank_account == "6222021234567890123"


def test_edit_member_with_grade_but_no_kind_shows_error_beside_kind(register, c):
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    r = c.post(
        reverse("web:member_edit", args=[h.pk, spouse.pk]),
        {
            "version": h.version,
            "relation": "spouse",
            "co_resident": "on",
            "labour_capacity": "full",
            "disability_grade": "2",
            "phone": "12345",
        },
        **HTMX,
    )
    html = r.content.decode()
    assert r.status_code == 400 and _error(html, "disability_kind", "填写残疾等级时须同时填写残疾类别。")
    assert 'value="12345"' in html  # input kept


def test_edit_member_with_bad_phone(register, c):
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    r = c.post(
        reverse("web:member_edit", args=[h.pk, spouse.pk]),
        {
            "version": h.version,
            "relation": "spouse",
            "co_resident": "on",
            "labour_capacity": "full",
            "phone": "12345",
        },
        **HTMX,
    )
    assert r.status_code == 400 and 'id="err-phone"' in r.content.decode()
    assert not AuditRecord.objects.filter(action="person.update").exists()


def test_edit_member_with_a_stale_version(register, c):
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    r = c.post(
        reverse("web:member_edit", args=[h.pk, spouse.pk]),
        {
            "version": 99,
            "relation": "spouse",
            "co_resident": "on",
            "labour_capacity": "full",
            "major_illness": "on",
        },
        **HTMX,
    )
    assert r.status_code == 409 and "该户信息已被他人修改" in r.content.decode()
    assert not Person.objects.get(pk=spouse.person_id).major_illness


def test_member_row_cancels_the_edit_form(register, c):
    h = register["a"]
    head = h.memberships.get(relation="head")
    html = c.get(reverse("web:member_row", args=[h.pk, head.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{head.pk}">') and "王*国" in html


def test_end_membership_needs_a_reason(register, c):
    today = timezone.localdate().isoformat()
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    url = reverse("web:member_end", args=[h.pk, spouse.pk])
    assert "离开原因" in c.get(url, **HTMX).content.decode()
    r = c.post(url, {"left_on": today, "left_reason": "", "version": h.version}, **HTMX)
    assert r.status_code == 400 and 'id="err-left_reason"' in r.content.decode()
    r = c.post(url, {"left_on": "", "left_reason": "迁出", "version": h.version}, **HTMX)
    assert r.status_code == 400 and _error(r.content.decode(), "left_on", "请填写离开日期。")
    r = c.post(url, {"left_on": today, "left_reason": "迁出", "version": h.version}, **HTMX)
    assert r.status_code == 200
    spouse.refresh_from_db()
    assert (spouse.left_on.isoformat(), spouse.left_reason) == (today, "迁出")
    assert AuditRecord.objects.filter(action="membership.end", reason="迁出").exists()


def test_head_cannot_leave_directly(register, c):
    today = timezone.localdate().isoformat()
    h = register["a"]
    head = h.memberships.get(relation="head")
    r = c.post(
        reverse("web:member_end", args=[h.pk, head.pk]),
        {"left_on": today, "left_reason": "死亡", "version": h.version},
        **HTMX,
    )
    assert r.status_code == 400 and _error(r.content.decode(), "form", "户主不能直接离开，请先变更户主。")


def test_htmx_post_with_csrf_header_is_accepted_and_without_it_refused(register, clerk):
    c = Client(enforce_csrf_checks=True)
    c.force_login(clerk)
    h = register["a"]
    page = c.get(reverse("web:household", args=[h.pk])).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    token = c.cookies["csrftoken"].value
    url = reverse("web:household_edit", args=[h.pk])
    data = {"village": VILLAGE_A, "address": "东关街9号", "hukou": "rural", "version": h.version}
    assert c.post(url, data, **HTMX).status_code == 403
    assert c.post(url, data, HTTP_X_CSRFTOKEN=token, **HTMX).status_code == 200


def test_member_incomes_are_entered_shown_and_checked(register, c):
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    url = reverse("web:member_edit", args=[h.pk, spouse.pk])
    base = {"relation": "spouse", "co_resident": "on", "labour_capacity": "full"}
    r = c.post(url, {**base, "version": h.version, "income_wage_12m": "-5"}, **HTMX)
    assert r.status_code == 400 and _error(r.content.decode(), "income_wage_12m", "金额不能为负数。")
    r = c.post(
        url,
        {**base, "version": h.version, "income_wage_12m": "12000.50", "income_transfer_12m": "300"},
        **HTMX,
    )
    assert r.status_code == 200 and "工资性收入 12000.50" in r.content.decode()
    p = Person.objects.get(pk=spouse.person_id)
    assert str(p.income_wage_12m) == "12000.50" and str(p.income_transfer_12m) == "300.00"
    form = c.get(url, **HTMX).content.decode()
    assert 'name="income_wage_12m" value="12000.50"' in form


def test_editing_without_income_inputs_keeps_stored_incomes(register, c):
    h = register["a"]
    spouse = h.memberships.get(relation="spouse")
    Person.objects.filter(pk=spouse.person_id).update(income_wage_12m="800.00")
    r = c.post(
        reverse("web:member_edit", args=[h.pk, spouse.pk]),
        {
            "relation": "spouse",
            "co_resident": "on",
            "labour_capacity": "full",
            "major_illness": "on",
            "version": h.version,
        },
        **HTMX,
    )
    assert r.status_code == 200
    assert str(Person.objects.get(pk=spouse.person_id).income_wage_12m) == "800.00"
