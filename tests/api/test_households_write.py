"""Creating and changing households and members through the API, and revealing a person: the
happy paths, the audit records they leave, and optimistic locking."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.registry.models import Household, Membership, Person
from tests.api.conftest import ApiClient, household_body, member_body
from tests.conftest import VILLAGE_A, VILLAGE_B, member, new_id

pytestmark = pytest.mark.django_db

ADDR = "10.20.30.40"


@pytest.fixture
def clerk_api(clerk):
    return ApiClient(clerk, remote_addr=ADDR)


def _audit(action: str, **kw):
    return list(AuditRecord.objects.filter(action=action, **kw).order_by("seq"))


# ---- create ---------------------------------------------------------------------------------


def test_clerk_creates_a_household_with_members_and_gets_its_detail(clerk, clerk_api):
    head_id, spouse_id = new_id(), new_id(dt.date(1972, 3, 1))
    body = household_body(
        VILLAGE_A,
        [
            member_body(id_number=head_id, name="王建国", phone="13912345678", labour_capacity="partial"),
            member_body(
                "spouse",
                id_number=spouse_id,
                name="李秀英",
                birth_date="1972-03-01",
                disability_kind="visual",
                disability_grade=3,
                joined_on="2001-10-01",
            ),
        ],
        address="东关街12号",
        alleviated=True,
    )
    r = clerk_api.post("/households", body)
    assert r.status_code == 201, r.json()
    detail = r.json()
    h = Household.objects.get(pk=detail["id"])
    assert (h.village.code, h.address, h.hukou, h.alleviated) == (VILLAGE_A, "东关街12号", "rural", True)
    assert detail["head_name"] == "王*国" and detail["member_count"] == 2 and detail["version"] == 1
    head, spouse = detail["members"]
    assert head["phone"] == "139****5678" and head["labour_capacity"] == "partial"
    assert spouse["joined_on"] == "2001-10-01" and spouse["disability_grade"] == 3
    assert Person.objects.get(pk=head["person_id"]).id_number == head_id


def test_create_appends_audit_records_for_household_and_persons(clerk, clerk_api):
    r = clerk_api.post("/households", household_body(VILLAGE_A, [member_body(id_number=new_id())]))
    hid = r.json()["id"]
    (rec,) = _audit("household.create", object_id=str(hid))
    assert (rec.actor, rec.role, rec.area, rec.client) == (
        clerk.username,
        "township_clerk",
        "141029100",
        ADDR,
    )
    assert rec.changes["village"] == [None, VILLAGE_A] and rec.changes["members"] == [None, 1]
    (prec,) = _audit("person.create", object_id=str(r.json()["head_person_id"]))
    assert prec.client == ADDR and "********" in prec.changes["id_number"][1]


def test_create_with_a_non_co_resident_member_marks_them_not_counted(clerk_api):
    r = clerk_api.post(
        "/households",
        household_body(
            VILLAGE_A,
            [
                member_body(id_number=new_id()),
                member_body("child", id_number=new_id(dt.date(1999, 1, 1)), name="张外", co_resident=False),
            ],
        ),
    )
    child = r.json()["members"][1]
    assert (child["counted"], child["not_counted_reason"], child["co_resident"]) == (
        False,
        "not_coresident",
        False,
    )


# ---- update ---------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields_and_bumps_the_version(clerk, clerk_api, make_household):
    h = make_household(VILLAGE_A, address="旧地址")
    r = clerk_api.patch(f"/households/{h.pk}", {"version": 1, "address": "新地址5号", "alleviated": True})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["address"], body["alleviated"], body["hukou"], body["version"]) == (
        "新地址5号",
        True,
        "rural",
        2,
    )
    (rec,) = _audit("household.update", object_id=str(h.pk))
    assert rec.changes == {"address": ["旧地址", "新地址5号"], "alleviated": [False, True]}
    assert (rec.actor, rec.client) == (clerk.username, ADDR)


def test_patch_moves_a_household_to_another_village_in_reach(clerk_api, make_household):
    h = make_household(VILLAGE_A)
    r = clerk_api.patch(f"/households/{h.pk}", {"version": 1, "village": VILLAGE_B})
    assert r.status_code == 200 and r.json()["village"]["code"] == VILLAGE_B


def test_patch_with_a_stale_version_is_a_409_and_changes_nothing(clerk_api, make_household):
    h = make_household(VILLAGE_A, address="旧地址")
    assert clerk_api.patch(f"/households/{h.pk}", {"version": 1, "address": "第一次"}).status_code == 200
    r = clerk_api.patch(f"/households/{h.pk}", {"version": 1, "address": "第二次"})
    assert r.status_code == 409
    assert r.json() == {
        "code": "stale_version",
        "message": "该户信息已被他人修改，请刷新后重试。",
        "field": "version",
    }
    h.refresh_from_db()
    assert (h.address, h.version) == ("第一次", 2)


def test_patch_without_version_is_refused(clerk_api, make_household):
    h = make_household(VILLAGE_A)
    r = clerk_api.patch(f"/households/{h.pk}", {"address": "新地址"})
    assert r.status_code == 400 and r.json()["field"] == "version"


# ---- members --------------------------------------------------------------------------------


def test_add_member_answers_201_with_the_new_member_and_audits(clerk, clerk_api, make_household):
    h = make_household(VILLAGE_A)
    r = clerk_api.post(
        f"/households/{h.pk}/members",
        {
            **member_body(
                "child", id_number=new_id(dt.date(2012, 9, 9)), name="张小宝", fulltime_education=True
            ),
            "version": 1,
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["version"] == 2 and body["member_count"] == 2
    assert body["members"][1]["name"] == "张*宝" and body["members"][1]["fulltime_education"] is True
    (rec,) = _audit("membership.create", object_id=str(h.pk))
    assert rec.changes["relation"] == [None, "child"] and rec.client == ADDR


def test_edit_member_changes_only_the_given_fields(clerk, clerk_api, make_household):
    h = make_household(VILLAGE_A, members=[member("head", phone="13912345678", major_illness=False)])
    mid = h.memberships.get().pk
    r = clerk_api.patch(
        f"/households/{h.pk}/members/{mid}", {"major_illness": True, "labour_capacity": "none"}
    )
    assert r.status_code == 200, r.json()
    (m,) = r.json()["members"]
    assert (m["major_illness"], m["labour_capacity"], m["phone"]) == (True, "none", "139****5678")
    (rec,) = _audit("person.update", object_id=str(h.head_id))
    assert rec.changes == {"major_illness": [False, True], "labour_capacity": ["full", "none"]}
    assert rec.actor == clerk.username


def test_edit_member_sets_and_clears_a_disability(clerk_api, make_household):
    h = make_household(VILLAGE_A)
    path = f"/households/{h.pk}/members/{h.memberships.get().pk}"
    m = clerk_api.patch(path, {"disability_kind": "hearing", "disability_grade": 4}).json()["members"][0]
    assert (m["disability_kind"], m["disability_grade"]) == ("hearing", 4)
    m = clerk_api.patch(path, {"disability_kind": ""}).json()["members"][0]
    assert (m["disability_kind"], m["disability_grade"]) == ("", None)


def test_edit_member_not_co_resident_and_back(clerk_api, make_household):
    h = make_household(
        VILLAGE_A, members=[member("head"), member("child", name="张远", birth=dt.date(1998, 1, 1))]
    )
    path = f"/households/{h.pk}/members/{h.memberships.get(relation='child').pk}"
    m = clerk_api.patch(path, {"co_resident": False}).json()["members"][1]
    assert (m["counted"], m["not_counted_reason"]) == (False, "not_coresident")
    m = clerk_api.patch(path, {"co_resident": True}).json()["members"][1]
    assert (m["counted"], m["not_counted_reason"]) == (True, "")


def test_edit_member_with_a_stale_version_is_a_409(clerk_api, make_household):
    h = make_household(VILLAGE_A)
    path = f"/households/{h.pk}/members/{h.memberships.get().pk}"
    r = clerk_api.patch(path, {"major_illness": True, "version": 7})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"


def test_member_leaves_the_household_with_date_and_reason(clerk, clerk_api, make_household):
    h = make_household(
        VILLAGE_A, members=[member("head"), member("child", name="张远", birth=dt.date(1998, 1, 1))]
    )
    mid = h.memberships.get(relation="child").pk
    r = clerk_api.post(
        f"/households/{h.pk}/members/{mid}/leave",
        {"left_on": dt.date.today().isoformat(), "reason": "分户", "version": 1},
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert [m["relation"] for m in body["members"]] == ["head"] and body["member_count"] == 1
    assert body["past_members"][0]["left_reason"] == "分户" and body["version"] == 2
    (rec,) = _audit("membership.end", object_id=str(h.pk))
    assert rec.reason == "分户" and rec.client == ADDR
    assert Membership.objects.get(pk=mid).left_on == dt.date.today()


# ---- reveal ---------------------------------------------------------------------------------


def test_reveal_answers_the_plain_identifiers_and_audits_the_reason(clerk, clerk_api, make_household):
    id_number = new_id()
    h = make_household(
        VILLAGE_A,
        members=[
            member(
                "head",
                name="王建国",
                id_number=id_number,
                phone="13912345678",
                bank_account="6222021234567890123",
            )
        ],
    )
    r = clerk_api.post(f"/persons/{h.head_id}/reveal", {"reason": "核对低保申请材料"})
    assert r.status_code == 200
    assert r.json() == {
        "name": "王建国",
        "id_number": id_number,
        "phone": "13912345678",
        "bank_account": "6222021234567890123",
    }
    (rec,) = _audit("person.unmask", object_id=str(h.head_id))
    assert (rec.actor, rec.reason, rec.client) == (clerk.username, "核对低保申请材料", ADDR)
    assert set(rec.changes["fields"]) == {"name", "id_number", "phone", "bank_account"}


def test_reveal_of_a_person_who_left_still_works_within_reach(clerk, clerk_api, make_household):
    h = make_household(
        VILLAGE_A, members=[member("head"), member("child", name="张远", birth=dt.date(1998, 1, 1))]
    )
    child = h.memberships.get(relation="child")
    clerk_api.post(
        f"/households/{h.pk}/members/{child.pk}/leave",
        {"left_on": dt.date.today().isoformat(), "reason": "迁出"},
    )
    assert clerk_api.post(f"/persons/{child.person_id}/reveal", {"reason": "核对"}).status_code == 200


def test_writes_through_the_api_keep_the_audit_chain_intact(make_user, clerk_api, make_household):
    from safetynet.audit.services import verify_chain

    h = make_household(VILLAGE_A)
    clerk_api.patch(f"/households/{h.pk}", {"version": 1, "address": "新址"})
    clerk_api.post(f"/persons/{h.head_id}/reveal", {"reason": "核对"})
    assert verify_chain().ok


def test_village_officer_creates_only_in_own_village(make_user):
    api = ApiClient(make_user(Role.VILLAGE_OFFICER))
    ok = api.post("/households", household_body(VILLAGE_A, [member_body(id_number=new_id())]))
    other = api.post("/households", household_body(VILLAGE_B, [member_body(id_number=new_id())]))
    assert ok.status_code == 201
    assert other.status_code == 404 and other.json()["code"] == "village_not_found"
    assert other.json()["field"] == "village"
