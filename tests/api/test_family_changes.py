"""家庭变化 through the API: each change answers with the household's membership after it; each
refusal is `{"code", "message", "field"}` with the body's field; outside the area is 404."""

from __future__ import annotations

import datetime as dt

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.registry.models import Household
from tests.conftest import GUANGHUA, JOINED, TODAY, member, new_id, of


def names(body) -> dict:
    return {m["person_id"]: m for m in body["members"]}


def test_change_of_head_answers_with_the_new_membership(api_as, clerk, family):
    son = of(family, "王小军")
    r = api_as(clerk).post(
        f"/households/{family.pk}/head",
        {
            "new_head": son.pk,
            "old_head_relation": "parent",
            "relations": {str(of(family, "王小红").pk): "sibling"},
            "changed_on": TODAY.isoformat(),
            "reason": "家庭协商",
            "version": family.version,
        },
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["head_person_id"] == son.person_id and body["version"] == family.version + 1
    assert names(body)[son.person_id]["relation"] == "head"
    assert names(body)[of(family, "王小红").person_id]["relation"] == "sibling"


def test_change_of_head_errors_name_the_body_field(api_as, clerk, family):
    api = api_as(clerk)
    base = {
        "new_head": of(family, "李秀英").pk,
        "old_head_relation": "spouse",
        "changed_on": TODAY.isoformat(),
    }
    r = api.post(f"/households/{family.pk}/head", {**base, "reason": ""})
    assert (r.status_code, r.json()["field"]) == (400, "reason")
    r = api.post(f"/households/{family.pk}/head", {**base, "reason": "x", "relations": {"999999": "child"}})
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (
        400,
        "relations.999999",
        "not_a_current_member",
    )
    r = api.post(f"/households/{family.pk}/head", {**base, "reason": "x", "old_head_relation": "head"})
    assert (r.status_code, r.json()["field"]) == (400, "old_head_relation")
    r = api.post(f"/households/{family.pk}/head", {**base, "reason": "x", "changed_on": "2026-06-02"})
    assert (r.status_code, r.json()["field"]) == (400, "changed_on")
    assert "今天" in r.json()["message"]
    r = api.post(f"/households/{family.pk}/head", {**base, "reason": "x", "version": family.version + 5})
    assert (r.status_code, r.json()["code"]) == (409, "stale_version")
    assert not AuditRecord.objects.filter(action="household.change_head").exists()


def test_a_death_through_the_api_with_a_new_head(api_as, clerk, family):
    head, spouse = of(family, "王大山"), of(family, "李秀英")
    url = f"/households/{family.pk}/members/{head.pk}/changes"
    r = api_as(clerk).post(url, {"kind": "death", "left_on": "2026-05-30"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "head_must_change", "new_head")
    r = api_as(clerk).post(
        url, {"kind": "death", "left_on": "2026-05-30", "new_head": spouse.pk, "reason": "病故"}
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["head_person_id"] == spouse.person_id
    past = {m["person_id"]: m for m in body["past_members"]}[head.person_id]
    assert (
        past["left_kind"] == "death"
        and past["died_on"] == "2026-05-30"
        and past["left_reason"] == "死亡：病故"
    )


def test_prison_through_the_api_keeps_the_member_uncounted(api_as, clerk, family):
    son = of(family, "王小军")
    r = api_as(clerk).post(
        f"/households/{family.pk}/members/{son.pk}/changes", {"kind": "prison", "left_on": "2026-05-01"}
    )
    assert r.status_code == 200
    now = names(r.json())[son.person_id]
    assert (now["counted"], now["not_counted_reason"], now["joined_kind"]) == (False, "prison", "status")
    r = api_as(clerk).post(
        f"/households/{family.pk}/members/{now['id']}/changes", {"kind": "release", "left_on": "2026-05-01"}
    )
    assert r.status_code == 200, r.json()
    now = names(r.json())[son.person_id]
    assert (now["counted"], now["not_counted_reason"]) == (True, "")
    r = api_as(clerk).post(
        f"/households/{family.pk}/members/{now['id']}/changes", {"kind": "release", "left_on": "2026-05-01"}
    )
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (409, "kind", "not_recorded")


def test_leave_errors_name_the_body_field(api_as, clerk, family):
    url = f"/households/{family.pk}/members/{of(family, '王小红').pk}/changes"
    r = api_as(clerk).post(url, {"kind": "other", "left_on": "2026-05-01"})
    assert (r.status_code, r.json()["field"]) == (400, "reason")
    r = api_as(clerk).post(url, {"kind": "eloped", "left_on": "2026-05-01"})
    assert (r.status_code, r.json()["field"]) == (400, "kind")
    r = api_as(clerk).post(url, {"kind": "move_out", "left_on": "2019-12-31"})
    assert (r.status_code, r.json()["field"]) == (400, "left_on")


def test_a_birth_through_the_api(api_as, clerk, family):
    number = new_id(dt.date(2026, 5, 2))
    r = api_as(clerk).post(
        f"/households/{family.pk}/joins",
        {
            "kind": "birth",
            "id_number": number,
            "name": "王小宝",
            "relation": "grandchild",
            "joined_on": "2026-05-20",
        },
    )
    assert r.status_code == 201, r.json()
    added = [m for m in r.json()["members"] if m["joined_kind"] == "birth"]
    assert len(added) == 1 and added[0]["relation"] == "grandchild"


def test_join_errors_name_the_body_field(api_as, clerk, family, make_household):
    api = api_as(clerk)
    url = f"/households/{family.pk}/joins"
    base = {"kind": "birth", "name": "王小宝", "relation": "child", "joined_on": "2026-05-20"}
    r = api.post(url, {**base, "id_number": new_id(dt.date(2026, 5, 2)), "relation": "spouse"})
    assert (r.status_code, r.json()["field"]) == (400, "relation")
    r = api.post(url, {**base, "id_number": new_id(dt.date(2026, 5, 2)), "relation": "head"})
    assert (r.status_code, r.json()["field"]) == (400, "relation")
    r = api.post(url, {**base, "id_number": "141029202605021234"})
    assert (r.status_code, r.json()["field"]) == (400, "id_number")
    r = api.post(url, {**base, "id_number": new_id(dt.date(2026, 5, 2)), "joined_on": None})
    assert (r.status_code, r.json()["field"]) == (400, "joined_on")
    elsewhere = new_id(dt.date(1990, 1, 1))
    make_household(
        members=[member(id_number=elsewhere, name="赵丽", birth=dt.date(1990, 1, 1), joined_on=JOINED)]
    )
    r = api.post(
        url, {**base, "kind": "marriage_in", "id_number": elsewhere, "name": "赵丽", "relation": "other"}
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        409,
        "member_in_other_household",
        "id_number",
    )


def test_split_and_merge_through_the_api(api_as, clerk, family):
    son, daughter = of(family, "王小军"), of(family, "王小红")
    r = api_as(clerk).post(
        f"/households/{family.pk}/split",
        {
            "members": [{"membership": son.pk}, {"membership": daughter.pk, "relation": "sibling"}],
            "new_head": son.pk,
            "split_on": "2026-05-01",
            "reason": "分户",
        },
    )
    assert r.status_code == 201, r.json()
    new = r.json()["new_household"]
    assert new["head_person_id"] == son.person_id and len(new["members"]) == 2
    assert len(r.json()["household"]["members"]) == 2
    relations = {str(m["id"]): ("parent" if m["relation"] == "head" else "sibling") for m in new["members"]}
    r = api_as(clerk).post(
        f"/households/{family.pk}/merge",
        {"other": new["id"], "relations": relations, "merged_on": "2026-05-20", "reason": "重新合户"},
    )
    assert r.status_code == 200, r.json()
    assert len(r.json()["members"]) == 4
    closed = api_as(clerk).get(f"/households/{new['id']}").json()
    assert closed["closed_on"] == "2026-05-20" and closed["members"] == []


def test_split_and_merge_errors_name_the_body_field(api_as, clerk, family, make_household):
    api = api_as(clerk)
    son = of(family, "王小军")
    r = api.post(
        f"/households/{family.pk}/split",
        {
            "members": [{"membership": son.pk}, {"membership": of(family, "王小红").pk, "relation": "x"}],
            "new_head": son.pk,
            "split_on": "2026-05-01",
            "reason": "分户",
        },
    )
    assert (r.status_code, r.json()["field"]) == (400, "members.1.relation")
    r = api.post(
        f"/households/{family.pk}/split",
        {"members": [{"membership": of(family, "王大山").pk}], "new_head": of(family, "王大山").pk,
         "split_on": "2026-05-01", "reason": "分户"},
    )  # fmt: skip
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        400,
        "head_must_change",
        "members.0.membership",
    )
    other = make_household(members=[member(name="周某", joined_on=JOINED)])
    r = api.post(
        f"/households/{family.pk}/merge",
        {"other": other.pk, "relations": {}, "merged_on": "2026-05-20", "reason": "合户"},
    )
    assert (r.status_code, r.json()["code"]) == (400, "relation_required")
    assert r.json()["field"] == f"relations.{other.memberships.get().pk}"
    r = api.post(
        f"/households/{family.pk}/merge",
        {"other": 999999, "relations": {}, "merged_on": "2026-05-20", "reason": "x"},
    )
    assert (r.status_code, r.json()["field"]) == (404, "other")
    assert Household.objects.get(pk=other.pk).closed_on is None


def test_family_changes_are_not_found_outside_the_area_and_forbidden_without_the_permission(
    api_as, family, make_user
):
    outsider = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua")
    body = {
        "new_head": of(family, "李秀英").pk,
        "old_head_relation": "spouse",
        "changed_on": "2026-05-01",
        "reason": "x",
    }
    r = api_as(outsider).post(f"/households/{family.pk}/head", body)
    assert (r.status_code, r.json()["code"]) == (404, "household_not_found")
    r = api_as(make_user(Role.REVIEW_MEMBER)).post(f"/households/{family.pk}/head", body)
    assert r.status_code == 403
    r = api_as(make_user(Role.AUDITOR)).post(
        f"/households/{family.pk}/members/{of(family, '王小红').pk}/changes",
        {"kind": "move_out", "left_on": "2026-05-01"},
    )
    assert r.status_code == 403
    assert Household.objects.get(pk=family.pk).version == family.version
