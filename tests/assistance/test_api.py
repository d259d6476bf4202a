"""The assistance plan end to end through the API: suggestions from the rules, the township's
acceptance, edits and refusals, the department's referral list and feedback (one by one and by
file), the charity referral, the exports; each scoped role by role, bad input refused whole."""

from __future__ import annotations

import pytest

from safetynet.accounts.roles import Role
from safetynet.assistance.models import Feedback, FeedbackUpload, Measure
from safetynet.audit.models import AuditRecord
from tests.api.conftest import ApiClient
from tests.assistance.conftest import person
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_C, member

pytestmark = pytest.mark.django_db


def _by(measures, kind, pid=None):
    return next(m for m in measures if m["kind"] == kind and (pid is None or m["person_id"] == pid))


def test_suggestions_accept_refer_and_department_feedback(poor, clerk, make_user, yibao, jiaoyu):
    town = ApiClient(clerk)
    r = town.post(f"/households/{poor.pk}/plan/suggest", {})
    assert r.status_code == 200, r.content
    made = r.json()["measures"]
    head, child, gran = (person(poor, n).pk for n in ("赵铁柱", "赵小雨", "钱桂兰"))
    assert sorted((m["kind"], m["person_id"]) for m in made) == sorted(
        [
            ("premium_subsidy", head), ("premium_subsidy", child), ("premium_subsidy", gran),
            ("education_aid", child), ("employment", head), ("other", gran), ("other", gran),
        ]
    )  # fmt: skip
    premium = _by(made, "premium_subsidy", head)
    assert premium["amount"] == "280.00" and premium["status"] == "suggested"
    assert "国办发〔2021〕42号" in premium["clause"] and premium["person_name"] == "赵*柱"
    # Generating again files nothing twice.
    assert town.post(f"/households/{poor.pk}/plan/suggest", {}).json()["measures"] == []

    # Nothing is referred unseen: the 医保 liaison sees no referral yet.
    med = ApiClient(yibao)
    assert med.get("/referrals").json()["count"] == 0

    r = town.post(f"/measures/{premium['id']}/accept", {"amount": "300.00"})
    assert r.status_code == 200 and r.json()["status"] == "referred" and r.json()["amount"] == "300.00"
    edu = _by(made, "education_aid")
    emp = _by(made, "employment")
    bad = town.post(f"/measures/{emp['id']}/decline", {"reason": "  "})
    assert bad.status_code == 400 and bad.json()["field"] == "reason"
    assert Measure.objects.get(pk=emp["id"]).status == "suggested"
    r = town.post(f"/measures/{emp['id']}/decline", {"reason": "已在县城务工，本月起有工资收入"})
    assert r.json()["status"] == "declined"
    assert town.post(f"/measures/{emp['id']}/accept", {}).status_code == 409

    # The department's list: only what was referred to it, names and IDs masked.
    listing = med.get("/referrals").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == premium["id"]
    assert "*" in listing["items"][0]["person_id_number"]
    assert ApiClient(jiaoyu).get("/referrals").json()["count"] == 0
    # A liaison reaches no household and no measure of it.
    assert med.get(f"/households/{poor.pk}/plan").status_code == 404
    # Feedback on a measure not referred to the department: refused, nothing written.
    r = med.post(f"/referrals/{edu['id']}/feedback", {"status": "done"})
    assert r.status_code == 404 and "转介" in r.json()["message"]
    r = ApiClient(jiaoyu).post(f"/referrals/{premium['id']}/feedback", {"status": "done"})
    assert r.status_code == 404
    assert not Feedback.objects.exists()
    r = med.post(f"/referrals/{premium['id']}/feedback", {"status": "declined"})
    assert r.status_code == 400 and r.json()["field"] == "note"
    r = med.post(
        f"/referrals/{premium['id']}/feedback", {"status": "done", "on": "2026-05-30", "amount": "280.00"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["measure"]["status"] == "done" and r.json()["measure"]["amount"] == "280.00"
    again = med.post(f"/referrals/{premium['id']}/feedback", {"status": "in_progress"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert Feedback.objects.filter(measure_id=premium["id"], channel="api").count() == 1
    actions = set(AuditRecord.objects.filter(object_type="measure").values_list("action", flat=True))
    assert {"assistance.accept", "assistance.decline", "assistance.feedback"} <= actions


def test_roles_and_areas(poor, clerk, make_user, make_household):
    officer = ApiClient(make_user(Role.VILLAGE_OFFICER, VILLAGE_A))
    other_town = ApiClient(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua"))
    auditor = ApiClient(make_user(Role.AUDITOR, "141029"))
    assert officer.get(f"/households/{poor.pk}/plan").status_code == 200
    r = officer.post(f"/households/{poor.pk}/plan/suggest", {})
    assert r.status_code == 403
    assert other_town.get(f"/households/{poor.pk}/plan").status_code == 404
    assert other_town.post(f"/households/{poor.pk}/plan/suggest", {}).status_code in (403, 404)
    assert auditor.post(f"/households/{poor.pk}/plan/suggest", {}).status_code == 403
    made = ApiClient(clerk).post(f"/households/{poor.pk}/plan/suggest", {}).json()["measures"]
    assert other_town.post(f"/measures/{made[0]['id']}/accept", {}).status_code == 404
    assert Measure.objects.filter(status="referred").count() == 0
    county = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    assert county.get(f"/measures/{made[0]['id']}").status_code == 200
    elsewhere = make_household(VILLAGE_C, members=[member("head", name="孙大海")])
    assert ApiClient(clerk).post(f"/households/{elsewhere.pk}/plan/suggest", {}).status_code == 404


def test_a_measure_for_a_person_outside_the_household_is_refused(poor, clerk, make_household):
    other = make_household(VILLAGE_A, members=[member("head", name="周外人")])
    town = ApiClient(clerk)
    r = town.post(
        f"/households/{poor.pk}/plan/measures",
        {"kind": "skills", "person_id": person(other, "周外人").pk},
    )
    assert r.status_code == 400 and r.json()["field"] == "person"
    assert r.json()["code"] == "person_not_in_household"
    assert not Measure.objects.exists()
    r = town.post(
        f"/households/{poor.pk}/plan/measures", {"kind": "skills", "person_id": person(poor, "赵铁柱").pk}
    )
    assert r.status_code == 201 and r.json()["status"] == "referred" and r.json()["department"] == "hrss"
    r = town.post(f"/households/{poor.pk}/plan/measures", {"kind": "no_such_kind"})
    assert r.status_code in (400, 422)


def test_charity_referral_is_a_measure_naming_the_charity_and_what_it_gave(poor, clerk):
    town = ApiClient(clerk)
    r = town.post(f"/households/{poor.pk}/plan/measures", {"kind": "charity"})
    assert r.status_code == 400 and r.json()["field"] == "charity_name"
    r = town.post(
        f"/households/{poor.pk}/plan/measures",
        {"kind": "charity", "charity_name": "乡宁县慈善总会", "person_id": person(poor, "赵小雨").pk},
    )
    assert r.status_code == 201 and r.json()["status"] == "referred"
    mid = r.json()["id"]
    bad = town.post(f"/referrals/{mid}/feedback", {"status": "done"})
    assert bad.status_code == 400 and bad.json()["field"] == "note"
    r = town.post(
        f"/referrals/{mid}/feedback", {"status": "done", "amount": "2000.00", "note": "助学金2000元"}
    )
    assert r.status_code == 201, r.content
    m = r.json()["measure"]
    assert (m["charity_name"], m["charity_gave"], m["amount"]) == (
        "乡宁县慈善总会",
        "助学金2000元",
        "2000.00",
    )
    # Recorded at once when what the charity gave is known.
    r = town.post(
        f"/households/{poor.pk}/plan/measures",
        {"kind": "charity", "charity_name": "乡宁县红十字会", "charity_gave": "棉被两床", "amount": "300"},
    )
    assert r.json()["status"] == "done" and r.json()["finished_on"] == "2026-06-01"


def _csv(rows, header=("措施编号", "办理状态", "办理日期", "金额（元）", "说明")) -> bytes:
    return ("\n".join([",".join(header), *(",".join(map(str, r)) for r in rows)]) + "\n").encode("utf-8")


def _post_file(client, data: bytes, name="feedback.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.client.post(
        "/api/v1/referrals/feedback-files",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        **client.headers,
    )


def test_feedback_file_is_loaded_whole_or_refused_whole(poor, clerk, yibao):
    town = ApiClient(clerk)
    made = town.post(f"/households/{poor.pk}/plan/suggest", {}).json()["measures"]
    premiums = [m for m in made if m["kind"] == "premium_subsidy"]
    for m in premiums:
        town.post(f"/measures/{m['id']}/accept", {})
    edu = _by(made, "education_aid")
    town.post(f"/measures/{edu['id']}/accept", {})
    med = ApiClient(yibao)
    p1, p2, p3 = (m["id"] for m in premiums)
    bad = _csv(
        [
            [p1, "已完成", "2026-05-20", "280.00", ""],
            [edu["id"], "已完成", "2026-05-20", "", ""],  # referred to 教育, not 医保
            [p2, "不予实施", "2026-05-20", "", ""],  # no reason
            [p1, "办理中", "2026-05-20", "", ""],  # twice
            [p3, "已完成", "2026-13-01", "", ""],  # bad date
        ]
    )
    r = _post_file(med, bad)
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "措施编号"), (4, "说明"), (5, "措施编号"), (6, "办理日期"),
    ]  # fmt: skip
    assert "未转介给县医疗保障局" in errors[0]["message"]
    assert not Feedback.objects.exists()
    assert set(Measure.objects.filter(pk__in=[p1, p2, p3]).values_list("status", flat=True)) == {"referred"}
    assert FeedbackUpload.objects.get().status == "rejected"

    good = _csv(
        [
            [p1, "done", "2026-05-20", "280.00", ""],
            [p2, "办理中", "2026-05-21", "", ""],
            [p3, "declined", "2026-05-21", "", "已在外地参保"],
        ],
        header=("measure_id", "status", "on", "amount", "note"),
    )
    r = _post_file(med, good)
    assert r.status_code == 201, r.content
    assert dict(Measure.objects.filter(pk__in=[p1, p2, p3]).values_list("pk", "status")) == {
        p1: "done", p2: "in_progress", p3: "declined",
    }  # fmt: skip
    assert Feedback.objects.filter(channel="file").count() == 3
    assert Measure.objects.get(pk=p3).decline_reason == "已在外地参保"
    r = _post_file(med, "措施编号,办理状态\n".encode())
    assert r.status_code == 400 and "办理日期" in r.json()["message"]
    r = _post_file(ApiClient(clerk), good)
    assert r.status_code == 403


def test_exports_of_the_housing_key_groups_and_the_premium_subsidy(poor, clerk, make_user, yibao):
    town = ApiClient(clerk)
    made = town.post(f"/households/{poor.pk}/plan/suggest", {}).json()["measures"]
    for m in made:
        if m["kind"] == "premium_subsidy":
            town.post(f"/measures/{m['id']}/accept", {})
    county = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    r = county.get("/assistance/exports/housing-key-groups.csv", {"on": "2026-06-01"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("序号,乡镇,村（社区）,户编号,户主姓名,户主身份证号码")
    assert len(lines) == 2 and "赵铁柱" in lines[1] and "农村低保户" in lines[1]
    r = county.get("/assistance/exports/premium-subsidy.csv", {"year": 2026})
    rows = r.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 4 and all("280.00" in row and "低保对象" in row for row in rows[1:])
    assert person(poor, "钱桂兰").id_number in r.content.decode("utf-8-sig")
    assert ApiClient(yibao).get("/assistance/exports/premium-subsidy.csv", {"year": 2026}).status_code == 403
    assert town.get("/assistance/exports/premium-subsidy.csv", {"year": 2026}).status_code == 403
    audit = AuditRecord.objects.filter(action="assistance.export").order_by("seq")
    assert [a.object_id for a in audit] == ["housing_key_groups", "premium_subsidy"]
    assert audit.last().changes["unmasked"] is True and audit.last().changes["rows"] == 3
    assert CHANGNING  # the fixture township


def test_area_suggestions_through_the_api_and_the_web(poor, clerk, make_user):
    from django.test import Client

    town = ApiClient(clerk)
    r = town.post("/assistance/suggest", {"area": CHANGNING})
    assert r.status_code == 200 and r.json() == {"households": 1, "in_plan": 1, "measures": 7}
    assert town.post("/assistance/suggest", {"area": GUANGHUA}).status_code == 404
    assert town.post("/assistance/suggest", {"area": "abc"}).status_code in (400, 422)
    officer = ApiClient(make_user(Role.VILLAGE_OFFICER, VILLAGE_A))
    assert officer.post("/assistance/suggest", {"area": VILLAGE_A}).status_code == 403
    web = Client()
    web.force_login(clerk)
    r = web.post("/assistance/suggest/", {"area": CHANGNING}, follow=True)
    assert "新生成 0 条帮扶建议" in r.content.decode()
    assert Measure.objects.count() == 7


# Role by role, on a household of 昌宁镇 东关村 (each role at its fixture home area).
MATRIX = {
    # role: (sees the plan, may generate suggestions, may export the lists)
    Role.VILLAGE_OFFICER: (True, False, False),
    Role.TOWNSHIP_CLERK: (True, True, False),
    Role.REVIEW_MEMBER: (True, False, False),
    Role.REVIEW_LEADER: (True, False, False),
    Role.COUNTY_CIVIL: (True, True, True),
    Role.COUNTY_AGRI: (True, False, False),
    Role.LEADING_OFFICE: (True, False, False),
    Role.DEPT_LIAISON: (False, False, False),
    Role.AUDITOR: (True, False, False),
    Role.FINANCE: (False, False, False),
    Role.ADMIN: (True, True, True),
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_reaches_exactly_its_part_of_the_plan(role, poor, make_user):
    sees, suggests, exports = MATRIX[role]
    api = ApiClient(make_user(role))
    assert (api.get(f"/households/{poor.pk}/plan").status_code == 200) is sees
    r = api.post(f"/households/{poor.pk}/plan/suggest", {})
    assert (r.status_code == 200) is suggests
    if not suggests:
        assert r.status_code in (403, 404) and not Measure.objects.exists()
    r = api.get("/assistance/exports/premium-subsidy.csv", {"year": 2026})
    assert (r.status_code == 200) is exports
