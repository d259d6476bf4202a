import copy
import datetime as dt

from safetynet.assessments.models import Assessment, ParameterEntry
from tests.conftest import VILLAGE_A, VILLAGE_C, member

HOUSEHOLD = {
    "region": "141029100201",
    "hukou": "rural",
    "alleviated": False,
    "members": [
        {
            "id": "a",
            "birth_date": "1980-01-01",
            "relation": "head",
            "co_resident": True,
            "not_counted_reason": None,
            "in_fulltime_education": False,
            "disability": None,
            "major_illness": False,
            "self_care_failed": 0,
            "income_12m": {"wage": 3600, "business": 0, "property": 0, "transfer": 0, "excluded": 0},
        }
    ],
    "assets": {
        "financial": 0,
        "vehicles": [],
        "homes": 1,
        "home_bought_within_year": False,
        "company_roles": 0,
    },
    "rigid_expenditure_12m": {"medical": 0, "education": 0, "rehabilitation": 0, "living": 0},
    "supporters": [],
    "risk_events": [],
}


def test_post_assessment_gives_the_contract_output(api_as, users):
    r = api_as(users["township_clerk"]).post("/assessments?on=2026-06-01", HOUSEHOLD)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["category"] == "dibao" and body["family_size"] == 1
    assert body["per_capita_monthly_income"] == 300 and body["benefit_monthly"] == 300  # 600 − 300
    assert "dibao.standard_monthly.rural" in body["unverified_parameters"]
    assert body["trace"] and {"rule", "clause", "inputs", "result"} <= set(body["trace"][0])


def test_post_assessment_names_the_bad_field(api_as, users):
    bad = copy.deepcopy(HOUSEHOLD)
    bad["members"][0]["birth_date"] = "2025-02-30"
    r = api_as(users["township_clerk"]).post("/assessments", bad)
    assert r.status_code == 400
    assert r.json()["field"] == "members.0.birth_date"
    bad = copy.deepcopy(HOUSEHOLD)
    bad["members"][0]["income_12m"]["wage"] = -1
    assert (
        api_as(users["township_clerk"]).post("/assessments", bad).json()["field"]
        == "members.0.income_12m.wage"
    )


def test_post_assessment_needs_a_token(anon):
    assert anon.post("/assessments", HOUSEHOLD).status_code == 401


def test_officer_entered_standard_is_used_by_the_api(api_as, users):
    officer = api_as(users["county_civil"])
    r = officer.post(
        "/parameters",
        {
            "name": "dibao.standard_monthly.rural",
            "value": "700",
            "effective_from": "2026-05-01",
            "reference": "乡宁县通知 第一条",
            "verified": True,
        },
    )
    assert r.status_code == 201, r.content
    body = officer.post("/assessments?on=2026-06-01", HOUSEHOLD).json()
    assert body["benefit_monthly"] == 400
    assert "dibao.standard_monthly.rural" not in body["unverified_parameters"]
    flat = officer.get("/parameters", {"region": "141029", "on": "2026-06-01"}).json()
    assert flat["dibao.standard_monthly.rural"] == 700
    assert officer.get("/parameters", {"on": "2026-04-30"}).json()["dibao.standard_monthly.rural"] == 600


def test_parameter_entry_refused_to_a_clerk_and_without_reference(api_as, users):
    body = {
        "name": "edge.income_multiplier",
        "value": "1.6",
        "effective_from": "2026-05-01",
        "reference": "x",
    }
    assert api_as(users["township_clerk"]).post("/parameters", body).status_code == 403
    r = api_as(users["county_civil"]).post("/parameters", body | {"reference": " "})
    assert r.status_code == 400 and r.json()["code"] == "parameter_without_reference"
    assert not ParameterEntry.objects.exists()


def test_stored_assessment_of_a_household_is_scoped(api_as, users, make_household):
    inside = make_household(VILLAGE_A, members=[member(birth=dt.date(1980, 1, 1), income_wage_12m="3600")])
    outside = make_household(VILLAGE_C)
    clerk = api_as(users["township_clerk"])
    r = clerk.post(f"/households/{inside.pk}/assessments?on=2026-06-01")
    assert r.status_code == 201 and r.json()["result"]["category"] == "dibao"
    listed = clerk.get(f"/households/{inside.pk}/assessments").json()
    assert listed["count"] == 1 and listed["items"][0]["parameters_version"].startswith("141029/")
    assert clerk.post(f"/households/{outside.pk}/assessments").status_code == 404
    assert clerk.get(f"/households/{outside.pk}/assessments").status_code == 404
    assert Assessment.objects.count() == 1


def test_the_read_only_auditor_cannot_store_an_assessment(api_as, users, make_household):
    h = make_household(VILLAGE_A, members=[member(birth=dt.date(1980, 1, 1), income_wage_12m="3600")])
    r = api_as(users["auditor"]).post(f"/households/{h.pk}/assessments")
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied" and set(r.json()) == {"code", "message", "field"}
    assert not Assessment.objects.exists()
    assert api_as(users["auditor"]).get(f"/households/{h.pk}/assessments").status_code == 200
    assert api_as(users["township_clerk"]).post(f"/households/{h.pk}/assessments").status_code == 201
