"""Bad input gets a specific `{"code", "message", "field"}` answer and nothing is half-saved."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.audit.models import AuditRecord
from safetynet.registry.models import Household, Membership, Person
from tests.api.conftest import ApiClient, household_body, member_body
from tests.conftest import VILLAGE_A, VILLAGE_C, member, new_id

pytestmark = pytest.mark.django_db

BAD_CHECK_DIGIT = "14102919700517001X"  # 17 valid digits, wrong check character


@pytest.fixture
def api(clerk):
    return ApiClient(clerk)


@pytest.fixture
def snapshot():
    """Counts of everything a failed write must leave untouched."""

    def take():
        return (
            Household.objects.count(),
            Person.objects.count(),
            Membership.objects.count(),
            AuditRecord.objects.filter(
                action__in=["household.create", "person.create", "membership.create"]
            ).count(),
        )

    return take


def _assert_error(r, status: int, code: str, field: str | None):
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"code", "message", "field"}
    assert (body["code"], body["field"]) == (code, field), body
    assert body["message"] and not body["message"].isascii()  # a Chinese sentence


# ---- create: the services' checks -----------------------------------------------------------


def test_invalid_id_number_names_the_member(api, snapshot):
    before = snapshot()
    r = api.post(
        "/households",
        household_body(
            VILLAGE_A,
            [
                member_body(id_number=new_id()),
                member_body("child", id_number=BAD_CHECK_DIGIT, name="张小"),
            ],
        ),
    )
    _assert_error(r, 400, "invalid_id_number", "members.1.id_number")
    assert "校验位" in r.json()["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("id_number", "fragment"),
    [("12345", "18位"), ("14102919701317001X", "出生日期"), ("991029197005170013", "地区码"), ("", "18位")],
)
def test_each_kind_of_bad_id_number_says_what_is_wrong(api, id_number, fragment):
    r = api.post("/households", household_body(VILLAGE_A, [member_body(id_number=id_number)]))
    _assert_error(r, 400, "invalid_id_number", "members.0.id_number")
    assert fragment in r.json()["message"]


def test_sex_that_contradicts_the_id_number_is_refused(api):
    id_number = new_id()
    wrong = "F" if int(id_number[16]) % 2 else "M"
    r = api.post("/households", household_body(VILLAGE_A, [member_body(id_number=id_number, sex=wrong)]))
    _assert_error(r, 400, "sex_mismatch", "members.0.sex")


def test_birth_date_that_contradicts_the_id_number_is_refused(api):
    r = api.post(
        "/households", household_body(VILLAGE_A, [member_body(id_number=new_id(), birth_date="1971-01-01")])
    )
    _assert_error(r, 400, "birth_date_mismatch", "members.0.birth_date")


def test_person_already_counted_in_another_household_is_a_409_and_nothing_is_saved(
    api, make_household, snapshot
):
    taken = new_id(dt.date(1980, 1, 1))
    make_household(VILLAGE_A, members=[member("head", id_number=taken, birth=dt.date(1980, 1, 1))])
    before = snapshot()
    r = api.post(
        "/households",
        household_body(
            VILLAGE_A,
            [
                member_body(id_number=new_id(), name="王新"),
                member_body("spouse", id_number=taken, name="张小明"),
            ],
        ),
    )
    _assert_error(r, 409, "member_in_other_household", "members.1.id_number")
    assert "东关村" in r.json()["message"]  # the clerk may see which household holds them
    assert snapshot() == before  # the new head and household were rolled back too


def test_the_holding_household_is_not_named_to_someone_outside_its_area(make_user, make_household):
    taken = new_id(dt.date(1980, 1, 1))
    make_household(VILLAGE_A, members=[member("head", id_number=taken, birth=dt.date(1980, 1, 1))])
    guanghua = ApiClient(make_user("township_clerk", "141029101", "clerk_guanghua"))
    r = guanghua.post("/households", household_body(VILLAGE_C, [member_body(id_number=taken)]))
    _assert_error(r, 409, "member_in_other_household", "members.0.id_number")
    assert "不在您的管辖范围内" in r.json()["message"] and "东关村" not in r.json()["message"]


def test_same_person_twice_in_one_new_household_is_refused(api, snapshot):
    dup = new_id()
    before = snapshot()
    r = api.post(
        "/households",
        household_body(
            VILLAGE_A,
            [
                member_body(id_number=dup),
                member_body("child", id_number=dup, name="张小"),
            ],
        ),
    )
    _assert_error(r, 400, "duplicate_member", "members.1.id_number")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("members", "field"),
    [
        ([], "members"),
        ([{"relation": "spouse"}], "members"),  # no head
        ([{"relation": "head"}, {"relation": "head"}], "members"),  # two heads
    ],
)
def test_a_household_needs_exactly_one_head(api, members, field):
    bodies = [member_body(id_number=new_id(), **m) for m in members]
    _assert_error(api.post("/households", household_body(VILLAGE_A, bodies)), 400, "invalid", field)


def test_unknown_village_is_a_404_on_the_village_field(api, snapshot):
    before = snapshot()
    r = api.post("/households", household_body("141029100299", [member_body(id_number=new_id())]))
    _assert_error(r, 404, "village_not_found", "village")
    assert snapshot() == before


def test_village_outside_reach_answers_exactly_like_an_unknown_one(api):
    body = [member_body(id_number=new_id())]
    outside = api.post("/households", household_body(VILLAGE_C, body)).json()
    unknown = api.post("/households", household_body("141029101299", body)).json()
    assert outside["code"] == unknown["code"] == "village_not_found"
    assert outside["message"].replace(VILLAGE_C, "") == unknown["message"].replace("141029101299", "")


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"phone": "12345"}, "invalid", "members.0.phone"),
        ({"bank_account": "abc"}, "invalid", "members.0.bank_account"),
        ({"name": "Zhang3"}, "invalid", "members.0.name"),
        ({"name": " "}, "invalid", "members.0.name"),
        ({"disability_kind": "physical"}, "invalid", "members.0.disability_grade"),
        ({"disability_grade": 2}, "invalid", "members.0.disability_kind"),
        ({"disability_kind": "physical", "disability_grade": 5}, "invalid", "members.0.disability_grade"),
        (
            {"co_resident": True, "not_counted_reason": "not_coresident"},
            "invalid",
            "members.0.not_counted_reason",
        ),
    ],
)
def test_member_field_rules_name_the_member_field(api, override, code, field):
    r = api.post("/households", household_body(VILLAGE_A, [member_body(id_number=new_id(), **override)]))
    _assert_error(r, 400, code, field)


def test_blank_address_is_refused(api):
    r = api.post("/households", household_body(VILLAGE_A, [member_body(id_number=new_id())], address="  "))
    _assert_error(r, 400, "invalid", "address")


# ---- create: the shape of the body ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ('{"village": "141029100201", ', "malformed_json"),
        ("not json at all", "malformed_json"),
        ("\xff\xfe", "malformed_json"),
    ],
)
def test_malformed_json_body_is_a_400(api, snapshot, raw, code):
    before = snapshot()
    _assert_error(api.post("/households", raw=raw), 400, code, None)
    assert snapshot() == before


@pytest.mark.parametrize("raw", ["", "[]", '"text"', "42", "null"])
def test_a_body_that_is_not_an_object_is_a_400(api, raw):
    _assert_error(api.post("/households", raw=raw), 400, "invalid", None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("village"), "village"),
        (lambda b: b.update(village="1410291002"), "village"),
        (lambda b: b.update(hukou="城镇"), "hukou"),
        (lambda b: b.update(alleviated="maybe"), "alleviated"),
        (lambda b: b.update(members="张三"), "members"),
        (lambda b: b.update(adress="typo"), "adress"),
        (lambda b: b["members"][0].pop("relation"), "members.0.relation"),
        (lambda b: b["members"][0].update(relation="boss"), "members.0.relation"),
        (lambda b: b["members"][0].update(id_number=141029197005170013), "members.0.id_number"),
        (lambda b: b["members"][0].update(major_illness="sometimes"), "members.0.major_illness"),
        (lambda b: b["members"][0].update(joined_on="2024-13-01"), "members.0.joined_on"),
        (lambda b: b["members"][0].update(disability_grade="two"), "members.0.disability_grade"),
        (lambda b: b["members"][0].update(self_care_failed=["flying"]), "members.0.self_care_failed.0"),
        (lambda b: b["members"][0].update(unknown_field=1), "members.0.unknown_field"),
    ],
)
def test_schema_errors_answer_400_invalid_with_the_dotted_path(api, snapshot, change, field):
    body = household_body(VILLAGE_A, [member_body(id_number=new_id())])
    change(body)
    before = snapshot()
    r = api.post("/households", body)
    _assert_error(r, 400, "invalid", field)
    assert r.json()["message"].startswith(f"{field}：")
    assert snapshot() == before


def test_enum_error_lists_the_allowed_values(api):
    r = api.post("/households", household_body(VILLAGE_A, [member_body(id_number=new_id())], hukou="城镇"))
    assert r.json()["message"] == "hukou：取值无效，应为rural、urban之一。"


# ---- other writes ---------------------------------------------------------------------------


def test_add_member_with_an_invalid_id_names_the_body_field(api, make_household):
    h = make_household(VILLAGE_A)
    r = api.post(f"/households/{h.pk}/members", member_body("child", id_number=BAD_CHECK_DIGIT))
    _assert_error(r, 400, "invalid_id_number", "id_number")
    assert Membership.objects.filter(household=h).count() == 1


def test_add_member_counted_elsewhere_is_a_409(api, make_household):
    taken = new_id(dt.date(1980, 1, 1))
    make_household(VILLAGE_A, members=[member("head", id_number=taken, birth=dt.date(1980, 1, 1))])
    h = make_household(VILLAGE_A)
    r = api.post(f"/households/{h.pk}/members", member_body("spouse", id_number=taken))
    _assert_error(r, 409, "member_in_other_household", "id_number")
    h.refresh_from_db()
    assert h.version == 1 and h.memberships.count() == 1


def test_add_a_second_head_is_refused(api, make_household):
    h = make_household(VILLAGE_A)
    r = api.post(f"/households/{h.pk}/members", member_body("head", id_number=new_id()))
    _assert_error(r, 400, "invalid", "relation")


def test_add_member_body_errors_use_flat_field_names(api, make_household):
    h = make_household(VILLAGE_A)
    r = api.post(f"/households/{h.pk}/members", {"id_number": new_id(), "name": "张小"})
    _assert_error(r, 400, "invalid", "relation")


def test_edit_member_cannot_change_the_id_number(api, make_household):
    h = make_household(VILLAGE_A)
    r = api.patch(f"/households/{h.pk}/members/{h.memberships.get().pk}", {"id_number": new_id()})
    _assert_error(r, 400, "invalid", "id_number")


def test_edit_member_with_bad_phone_names_the_field(api, make_household):
    h = make_household(VILLAGE_A)
    r = api.patch(f"/households/{h.pk}/members/{h.memberships.get().pk}", {"phone": "110"})
    _assert_error(r, 400, "invalid", "phone")


def test_patch_to_an_unknown_village_names_the_village(api, make_household):
    h = make_household(VILLAGE_A)
    _assert_error(
        api.patch(f"/households/{h.pk}", {"version": 1, "village": "141029100299"}),
        404,
        "village_not_found",
        "village",
    )
    _assert_error(api.patch(f"/households/{h.pk}", {"version": 1, "village": "x"}), 400, "invalid", "village")


def test_leave_needs_a_reason(api, make_household):
    h = make_household(
        VILLAGE_A, members=[member("head"), member("child", name="张远", birth=dt.date(1998, 1, 1))]
    )
    path = f"/households/{h.pk}/members/{h.memberships.get(relation='child').pk}/leave"
    today = dt.date.today().isoformat()
    _assert_error(api.post(path, {"left_on": today, "reason": " "}), 400, "invalid", "reason")
    _assert_error(api.post(path, {"left_on": today}), 400, "invalid", "reason")
    _assert_error(api.post(path, {"reason": "迁出"}), 400, "invalid", "left_on")
    _assert_error(api.post(path, {"left_on": "2000-01-01", "reason": "迁出"}), 400, "invalid", "left_on")


def test_the_head_cannot_leave(api, make_household):
    h = make_household(VILLAGE_A)
    r = api.post(
        f"/households/{h.pk}/members/{h.memberships.get().pk}/leave",
        {"left_on": dt.date.today().isoformat(), "reason": "迁出"},
    )
    _assert_error(r, 400, "invalid", "membership")


def test_a_member_cannot_leave_twice(api, make_household):
    h = make_household(
        VILLAGE_A, members=[member("head"), member("child", name="张远", birth=dt.date(1998, 1, 1))]
    )
    path = f"/households/{h.pk}/members/{h.memberships.get(relation='child').pk}/leave"
    body = {"left_on": dt.date.today().isoformat(), "reason": "迁出"}
    assert api.post(path, body).status_code == 200
    _assert_error(api.post(path, body), 400, "invalid", "membership")


def test_reveal_needs_a_reason(api, make_household):
    h = make_household(VILLAGE_A)
    _assert_error(api.post(f"/persons/{h.head_id}/reveal", {"reason": ""}), 400, "invalid", "reason")
    _assert_error(api.post(f"/persons/{h.head_id}/reveal", {}), 400, "invalid", "reason")
    assert not AuditRecord.objects.filter(action="person.unmask").exists()


# ---- routes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/households/999999", "/households/abc", "/households/1/members/999999", "/nowhere", "/households/1/x"],
)
def test_unknown_objects_and_routes_answer_json_404(api, make_household, path):
    make_household(VILLAGE_A)
    r = api.get(path) if "members" not in path else api.patch(path, {"name": "张三"})
    assert r.status_code == 404
    assert r["Content-Type"].startswith("application/json")
    assert set(r.json()) == {"code", "message", "field"}


def test_missing_household_404_body(api):
    assert api.get("/households/999999").json() == {
        "code": "household_not_found",
        "message": "未找到该户。",
        "field": None,
    }


def test_unsupported_method_answers_json_405(api, make_household):
    h = make_household(VILLAGE_A)
    r = api.delete(f"/households/{h.pk}")
    _assert_error(r, 405, "method_not_allowed", None)
    assert Household.objects.filter(pk=h.pk).exists()


def test_an_unexpected_failure_still_answers_the_error_shape(api, monkeypatch, caplog):
    from safetynet.registry import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "search_households", broken)
    r = api.get("/households")
    _assert_error(r, 500, "server_error", None)
    assert "database on fire" not in r.content.decode()
    assert "database on fire" in caplog.text
