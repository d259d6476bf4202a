"""Bad input is refused with a ValidationFailed that names the field."""

import copy
from datetime import date

import pytest

from safetynet.core.errors import ValidationFailed
from safetynet.policy import assess_json, parse_household

ON = date(2025, 6, 1)


def member(**kw):
    m = {
        "id": "m1",
        "birth_date": "1985-01-01",
        "relation": "head",
        "co_resident": True,
        "not_counted_reason": None,
        "in_fulltime_education": False,
        "disability": None,
        "major_illness": False,
        "self_care_failed": 0,
        "income_12m": {"wage": 3600, "business": 0, "property": 0, "transfer": 0, "excluded": 0},
    }
    m.update(kw)
    return m


def household():
    return {
        "region": "141029",
        "hukou": "rural",
        "alleviated": False,
        "members": [member(), member(id="m2", relation="spouse")],
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


def refuse(mutate, field, code=None):
    data = copy.deepcopy(household())
    mutate(data)
    with pytest.raises(ValidationFailed) as e:
        parse_household(data, on=ON)
    assert e.value.field == field
    if code:
        assert e.value.code == code
    assert e.value.message  # a Chinese message for the user
    return e.value


def test_a_valid_household_parses():
    h = parse_household(household(), on=ON)
    assert len(h.members) == 2 and h.members[1].relation == "spouse"


def test_missing_field_is_named():
    refuse(lambda d: d["members"][1].pop("birth_date"), "members[1].birth_date", "required")
    refuse(lambda d: d.pop("assets"), "assets", "required")
    refuse(lambda d: d["members"][0]["income_12m"].pop("wage"), "members[0].income_12m.wage", "required")


def test_impossible_date_is_refused():
    refuse(lambda d: d["members"][1].update(birth_date="2025-02-30"), "members[1].birth_date", "invalid_date")
    refuse(lambda d: d["members"][0].update(birth_date="1985/01/01"), "members[0].birth_date", "invalid_date")


def test_future_birth_date_is_refused():
    refuse(lambda d: d["members"][1].update(birth_date="2025-06-02"), "members[1].birth_date", "future_date")


def test_negative_amount_is_refused():
    refuse(lambda d: d["members"][0]["income_12m"].update(wage=-1), "members[0].income_12m.wage", "negative")
    refuse(lambda d: d["assets"].update(financial=-0.01), "assets.financial", "negative")


def test_amount_with_more_than_two_decimals_or_not_a_number_is_refused():
    refuse(lambda d: d["rigid_expenditure_12m"].update(medical=1.001), "rigid_expenditure_12m.medical")
    refuse(lambda d: d["rigid_expenditure_12m"].update(medical=True), "rigid_expenditure_12m.medical")


def test_bad_enum_is_refused():
    refuse(lambda d: d.update(hukou="city"), "hukou", "invalid_choice")
    refuse(lambda d: d["members"][1].update(relation="cousin"), "members[1].relation", "invalid_choice")
    refuse(lambda d: d["members"][1].update(not_counted_reason="abroad"), "members[1].not_counted_reason")
    refuse(lambda d: d.update(risk_events=["flood"]), "risk_events[0]", "invalid_choice")
    refuse(
        lambda d: d["members"][0].update(disability={"kind": "ear", "grade": 1}), "members[0].disability.kind"
    )


def test_disability_grade_outside_one_to_four_is_refused():
    for grade in (0, 5):
        refuse(
            lambda d, g=grade: d["members"][0].update(disability={"kind": "physical", "grade": g}),
            "members[0].disability.grade",
            "out_of_range",
        )


def test_self_care_failed_outside_zero_to_six_is_refused():
    refuse(
        lambda d: d["members"][0].update(self_care_failed=7), "members[0].self_care_failed", "out_of_range"
    )
    refuse(
        lambda d: d["members"][0].update(self_care_failed=-1), "members[0].self_care_failed", "out_of_range"
    )


def test_non_boolean_flag_is_refused():
    refuse(lambda d: d["members"][0].update(co_resident="yes"), "members[0].co_resident")
    refuse(lambda d: d.update(supporters=[{"able": 1}]), "supporters[0].able")


def test_income_override_needs_a_reason():
    refuse(lambda d: d.update(income_override={"monthly": 700}), "income_override.reason", "required")
    refuse(lambda d: d.update(income_override={"monthly": 700, "reason": "  "}), "income_override.reason")


def test_duplicate_member_ids_and_empty_members_are_refused():
    refuse(lambda d: d["members"][1].update(id="m1"), "members[1].id", "duplicate")
    refuse(lambda d: d.update(members=[]), "members", "required")


def test_household_without_a_counted_member_cannot_be_assessed():
    data = household()
    for m in data["members"]:
        m["not_counted_reason"] = "prison"
    with pytest.raises(ValidationFailed) as e:
        assess_json(data, ON)
    assert e.value.code == "no_counted_member" and e.value.field == "members"


def test_single_person_application_needs_a_severely_disabled_unemployed_adult():
    data = household()
    data["single_person_application"] = data["members"][0]["id"]
    with pytest.raises(ValidationFailed) as err:
        parse_household(data)
    assert err.value.field == "single_person_application" and err.value.code == "not_eligible"
    data["single_person_application"] = "nobody"
    with pytest.raises(ValidationFailed) as err:
        parse_household(data)
    assert err.value.code == "invalid_choice"
