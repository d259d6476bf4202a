"""单人户 through the one procedure: an unemployed adult with a severe disability in a family that
does not qualify applies alone; the investigation records the application and the proposal
assesses the applicant as a one-person household (民发〔2021〕57号 第九条)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cases.conftest import Proc
from tests.conftest import VILLAGE_A, member


@pytest.fixture
def family(make_household):
    return make_household(
        VILLAGE_A,
        members=[
            member("head", name="吴长顺", birth=dt.date(1965, 2, 3), income_wage_12m="96000"),
            member(
                "child",
                name="吴小军",
                birth=dt.date(1995, 6, 1),
                disability_kind="physical",
                disability_grade=1,
            ),
        ],
    )


def test_a_severely_disabled_unemployed_adult_is_assessed_alone_when_the_investigation_says_so(
    users, family, clock
):
    child = family.memberships.get(relation="child").person
    alone = Proc(users, family, clock)
    alone.to_review(household_facts={"financial_assets": "3000", "single_person_applicant": child.pk})
    alone.review()
    proposal = alone.ok(alone.api["review_member"].post(f"/cases/{alone.case_id}/proposal", {}))
    result = proposal["result"]
    assert result["family_size"] == 1 and proposal["category"] in ("tekun", "dibao")
    counted = {m["id"]: m["counted"] for m in result["members"]}
    assert counted == {str(family.head_id): False, str(child.pk): True}
    family.refresh_from_db()
    assert family.single_person_applicant_id == child.pk


def test_without_the_application_the_family_is_assessed_whole(users, family, clock):
    whole = Proc(users, family, clock)
    whole.to_decision()
    assert (
        whole.ok(whole.api["review_member"].post(f"/cases/{whole.case_id}/proposal", {}))["category"]
        == "none"
    )
