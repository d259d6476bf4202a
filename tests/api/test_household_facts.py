from decimal import Decimal

from tests.api.conftest import household_body, member_body
from tests.conftest import VILLAGE_A, new_id


def test_incomes_are_taken_at_creation_and_shown(api_as, users):
    clerk = api_as(users["township_clerk"])
    r = clerk.post(
        "/households",
        household_body(
            VILLAGE_A, [member_body(id_number=new_id(), income_wage_12m="12000.50", income_excluded_12m=1788)]
        ),
    )
    assert r.status_code == 201, r.content
    m = r.json()["members"][0]
    assert Decimal(str(m["income_wage_12m"])) == Decimal("12000.50")
    assert Decimal(str(m["income_excluded_12m"])) == Decimal("1788")


def test_negative_income_is_refused_with_its_field(api_as, users):
    r = api_as(users["township_clerk"]).post(
        "/households", household_body(VILLAGE_A, [member_body(id_number=new_id(), income_wage_12m=-5)])
    )
    assert r.status_code == 400 and r.json()["field"] == "members.0.income_wage_12m"


def test_facts_patch_updates_assets_supporters_and_risks(api_as, users, make_household):
    h = make_household(VILLAGE_A)
    clerk = api_as(users["township_clerk"])
    r = clerk.patch(
        f"/households/{h.pk}/facts",
        {
            "version": h.version,
            "financial_assets": "5000",
            "vehicles": [{"value": 86000, "exempt": False}],
            "supporters": [{"relation": "child", "able": False}],
            "risk_events": ["illness", "disaster"],
        },
    )
    assert r.status_code == 200, r.content
    facts = r.json()["facts"]
    assert facts["vehicles"] == [{"value": "86000.00", "exempt": False}]
    assert facts["risk_events"] == ["illness", "disaster"] and r.json()["version"] == h.version + 1
    stale = clerk.patch(f"/households/{h.pk}/facts", {"version": h.version, "homes": 2})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    bad = clerk.patch(f"/households/{h.pk}/facts", {"risk_events": ["meteor"]})
    assert bad.status_code == 400 and bad.json()["field"].startswith("risk_events")


def test_facts_of_a_household_outside_the_area_are_not_found(api_as, users, make_household):
    from tests.conftest import VILLAGE_C

    h = make_household(VILLAGE_C)
    assert api_as(users["township_clerk"]).patch(f"/households/{h.pk}/facts", {"homes": 2}).status_code == 404


def test_facts_patch_records_the_risk_judgement_with_its_reason_and_withdraws_it_with_null(
    api_as, users, make_household
):
    h = make_household(VILLAGE_A)
    clerk = api_as(users["township_clerk"])
    no_reason = clerk.patch(f"/households/{h.pk}/facts", {"risk_judgement": True})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "risk_judgement_reason"
    r = clerk.patch(
        f"/households/{h.pk}/facts", {"risk_judgement": False, "risk_judgement_reason": "已稳定务工"}
    )
    assert r.status_code == 200, r.content
    assert r.json()["facts"]["risk_judgement"] is False
    assert r.json()["facts"]["risk_judgement_reason"] == "已稳定务工"
    untouched = clerk.patch(f"/households/{h.pk}/facts", {"homes": 1})  # absent: the judgement stays
    assert untouched.json()["facts"]["risk_judgement"] is False
    withdrawn = clerk.patch(f"/households/{h.pk}/facts", {"risk_judgement": None})
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["facts"]["risk_judgement"] is None
    assert withdrawn.json()["facts"]["risk_judgement_reason"] == ""


def test_facts_patch_names_and_withdraws_a_one_person_applicant(api_as, users, make_household):
    h = make_household(VILLAGE_A)
    clerk = api_as(users["township_clerk"])
    r = clerk.patch(f"/households/{h.pk}/facts", {"single_person_applicant": h.head_id})
    assert r.status_code == 200, r.content
    assert r.json()["facts"]["single_person_applicant"] == h.head_id
    stranger = clerk.patch(f"/households/{h.pk}/facts", {"single_person_applicant": h.head_id + 1000})
    assert stranger.status_code == 400 and stranger.json()["field"] == "single_person_applicant"
    withdrawn = clerk.patch(f"/households/{h.pk}/facts", {"single_person_applicant": 0})
    assert withdrawn.json()["facts"]["single_person_applicant"] is None
