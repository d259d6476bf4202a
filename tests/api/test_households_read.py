"""Listing, searching and reading households: filters, pagination, masking, query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.registry import services
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_B, VILLAGE_C, member, new_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_admin(make_user):
    return make_user(Role.ADMIN, "141029", "api_admin")


@pytest.fixture
def register(make_household):
    """Three households: two in 昌宁镇 (villages A and B), one in 光华镇 (village C)."""
    a = make_household(VILLAGE_A, members=[member("head", name="王建国"), member("spouse", name="李秀英")])
    b = make_household(VILLAGE_B, members=[member("head", name="赵小刚")])
    c = make_household(
        VILLAGE_C,
        members=[member("head", name="王丽"), member("child", name="王小丽", birth=dt.date(2010, 1, 2))],
    )
    return a, b, c


def _ids(r) -> list[int]:
    return [item["id"] for item in r.json()["items"]]


def test_list_answers_items_and_count_in_the_documented_shape(county_admin, register):
    a, _, _ = register
    r = ApiClient(county_admin).get("/households")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3 and len(body["items"]) == 3
    first = body["items"][0]
    assert first == {
        "id": a.pk,
        "village": {"code": VILLAGE_A, "name": "东关村"},
        "township": {"code": CHANGNING, "name": "昌宁镇"},
        "address": "东关街1号",
        "hukou": "rural",
        "alleviated": False,
        "head_name": "王*国",
        "member_count": 2,
        "version": 1,
    }


def test_list_is_scoped_to_the_users_area(users, register):
    a, b, c = register
    assert _ids(ApiClient(users["village_officer"]).get("/households")) == [a.pk]
    assert _ids(ApiClient(users["township_clerk"]).get("/households")) == [a.pk, b.pk]
    assert _ids(ApiClient(users["auditor"]).get("/households")) == [a.pk, b.pk, c.pk]
    assert ApiClient(users["dept_liaison"]).get("/households").json() == {"items": [], "count": 0}


def test_list_filters_by_village_and_township(county_admin, register):
    a, b, c = register
    api = ApiClient(county_admin)
    assert _ids(api.get("/households", {"village": VILLAGE_B})) == [b.pk]
    assert _ids(api.get("/households", {"township": CHANGNING})) == [a.pk, b.pk]
    assert _ids(api.get("/households", {"township": GUANGHUA})) == [c.pk]
    assert _ids(api.get("/households", {"township": GUANGHUA, "village": VILLAGE_A})) == []


def test_list_searches_by_name_pinyin_initials_and_exact_id_number(county_admin, make_household):
    api = ApiClient(county_admin)
    wang = make_household(VILLAGE_A, members=[member("head", name="王建国")])
    id_number = new_id()
    li = make_household(VILLAGE_C, members=[member("head", name="李秀英", id_number=id_number)])
    assert _ids(api.get("/households", {"q": "建国"})) == [wang.pk]
    assert _ids(api.get("/households", {"q": "wjg"})) == [wang.pk]
    assert _ids(api.get("/households", {"q": id_number})) == [li.pk]
    assert _ids(api.get("/households", {"q": "无此人"})) == []


def test_member_count_counts_all_current_members_even_when_the_search_matched_one(county_admin, register):
    r = ApiClient(county_admin).get("/households", {"q": "李秀英"})
    assert [(i["head_name"], i["member_count"]) for i in r.json()["items"]] == [("王*国", 2)]


def test_member_count_leaves_out_members_who_left(county_admin, register):
    a, _, _ = register
    spouse = a.memberships.get(relation="spouse")
    services.end_membership(
        user=county_admin, household=a, membership=spouse, left_on=dt.date.today(), reason="迁出"
    )
    items = ApiClient(county_admin).get("/households", {"village": VILLAGE_A}).json()["items"]
    assert items[0]["member_count"] == 1


def test_list_pages_with_limit_and_offset_and_count_stays_the_total(county_admin, make_household):
    made = [make_household(VILLAGE_A, members=[member("head")]).pk for _ in range(7)]
    api = ApiClient(county_admin)
    page1 = api.get("/households", {"limit": 3}).json()
    page3 = api.get("/households", {"limit": 3, "offset": 6}).json()
    beyond = api.get("/households", {"limit": 3, "offset": 50}).json()
    assert [i["id"] for i in page1["items"]] == made[:3] and page1["count"] == 7
    assert [i["id"] for i in page3["items"]] == made[6:] and page3["count"] == 7
    assert beyond == {"items": [], "count": 7}


def test_list_limit_defaults_to_50_and_accepts_500(county_admin, make_household):
    for _ in range(51):
        make_household(VILLAGE_A, members=[member("head")])
    api = ApiClient(county_admin)
    assert len(api.get("/households").json()["items"]) == 50
    assert len(api.get("/households", {"limit": 500}).json()["items"]) == 51


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"village": "14102910020"}, "village"),
        ({"village": "东关村"}, "village"),
        ({"township": "1410291000"}, "township"),
    ],
)
def test_bad_list_parameters_answer_400_naming_the_parameter(county_admin, params, field):
    r = ApiClient(county_admin).get("/households", params)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and body["field"] == field
    assert body["message"].startswith(f"{field}：")


def test_list_query_count_does_not_grow_with_the_rows(
    county_admin, make_household, django_assert_max_num_queries
):
    api = ApiClient(county_admin)
    make_household(VILLAGE_A, members=[member("head"), member("spouse", name="李红")])
    # token lookup, count, one page of rows (member counts are a subquery)
    with django_assert_max_num_queries(3):
        assert api.get("/households").json()["count"] == 1
    for _ in range(30):
        make_household(VILLAGE_A, members=[member("head"), member("spouse", name="李红")])
    with django_assert_max_num_queries(5):  # + the search's two id queries (members; village, address)
        assert api.get("/households", {"q": "李红"}).json()["count"] == 31
    with django_assert_max_num_queries(3):
        assert len(api.get("/households", {"limit": 500}).json()["items"]) == 31


def test_detail_query_count_does_not_grow_with_the_members(
    county_admin, make_household, django_assert_max_num_queries
):
    small = make_household(VILLAGE_A, members=[member("head")])
    big = make_household(
        VILLAGE_A, members=[member("head")] + [member("child", name="张小") for _ in range(8)]
    )
    api = ApiClient(county_admin)
    for h in (small, big):
        # token lookup, household with village and head, current members, past members
        with django_assert_max_num_queries(4):
            assert api.get(f"/households/{h.pk}").status_code == 200


# ---- detail ---------------------------------------------------------------------------------


def test_detail_shows_current_members_with_personal_data_masked(county_admin, make_household):
    id_number = new_id(dt.date(1968, 2, 29))
    h = make_household(
        VILLAGE_A,
        members=[
            member(
                "head",
                name="欧阳小明",
                id_number=id_number,
                birth=dt.date(1968, 2, 29),
                phone="13912345678",
                bank_account="6222021234567890123",
                disability_kind="physical",
                disability_grade=2,
                major_illness=True,
                self_care_failed=["walking", "eating"],
                labour_capacity="partial",
            ),
            member("child", name="欧阳丽", birth=dt.date(2008, 6, 1), fulltime_education=True),
        ],
        alleviated=True,
    )
    r = ApiClient(county_admin).get(f"/households/{h.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["alleviated"] is True and body["member_count"] == 2 and body["version"] == 1
    assert body["head_name"] == "欧**明" and body["head_person_id"] == h.head_id
    head, child = body["members"]
    assert head == {
        "id": head["id"],
        "person_id": h.head_id,
        "name": "欧**明",
        "id_number": id_number[:6] + "********" + id_number[-4:],
        "sex": "M" if int(id_number[16]) % 2 else "F",
        "birth_date": "1968-02-29",
        "relation": "head",
        "co_resident": True,
        "counted": True,
        "not_counted_reason": "",
        "disability_kind": "physical",
        "disability_grade": 2,
        "major_illness": True,
        "fulltime_education": False,
        "self_care_failed": ["eating", "walking"],
        "labour_capacity": "partial",
        "phone": "139****5678",
        "bank_account": "***************0123",
        "joined_on": dt.date.today().isoformat(),
        "joined_kind": "",
        "left_on": None,
        "left_kind": "",
        "left_reason": "",
        "died_on": None,
        "income_wage_12m": "0.00",
        "income_business_12m": "0.00",
        "income_property_12m": "0.00",
        "income_transfer_12m": "0.00",
        "income_excluded_12m": "0.00",
    }
    assert child["name"] == "欧*丽" and child["fulltime_education"] is True and child["relation"] == "child"
    assert body["past_members"] == []


def test_detail_never_contains_a_plain_identifier(county_admin, make_household):
    id_number = new_id()
    h = make_household(
        VILLAGE_A,
        members=[
            member(
                "head",
                name="张三丰",
                id_number=id_number,
                phone="13912345678",
                bank_account="6222021234567890123",
            )
        ],
    )
    text = ApiClient(county_admin).get(f"/households/{h.pk}").content.decode()
    for secret in (id_number, "13912345678", "6222021234567890123", "张三丰"):
        assert secret not in text


def test_detail_lists_past_members_with_when_and_why_they_left(county_admin, make_household):
    h = make_household(
        VILLAGE_A, members=[member("head"), member("child", name="张小红", birth=dt.date(1995, 1, 1))]
    )
    child = h.memberships.get(relation="child")
    services.end_membership(
        user=county_admin, household=h, membership=child, left_on=dt.date.today(), reason="婚嫁迁出"
    )
    body = ApiClient(county_admin).get(f"/households/{h.pk}").json()
    assert [m["relation"] for m in body["members"]] == ["head"]
    (past,) = body["past_members"]
    assert past["name"] == "张*红" and past["left_on"] == dt.date.today().isoformat()
    assert past["left_reason"] == "婚嫁迁出"


def test_a_masked_read_writes_no_audit_record(county_admin, make_household):
    h = make_household(VILLAGE_A)
    before = AuditRecord.objects.count()
    ApiClient(county_admin).get(f"/households/{h.pk}")
    ApiClient(county_admin).get("/households")
    assert AuditRecord.objects.count() == before
