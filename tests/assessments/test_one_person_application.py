"""单人户 (民发〔2021〕57号 第九条): a household whose register names a one-person applicant is assessed
as that applicant alone — through the registry service that records it and the assessment service
that builds the engine's input from the household."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.assessments import services
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import ValidationFailed
from safetynet.registry.services import update_household_facts
from tests.conftest import VILLAGE_A, member

ON = dt.date(2026, 6, 1)


@pytest.fixture
def family(make_household):
    """A father earning 96,000 a year (the family does not qualify) and his adult son, physically
    disabled grade 1, with no income of his own."""
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


def test_a_household_recording_a_one_person_application_is_assessed_as_that_applicant_alone(family, users):
    clerk = users["township_clerk"]
    whole = services.assess_household(user=clerk, household_id=family.pk, on=ON)
    assert whole.family_size == 2 and whole.category == "none"

    son = family.memberships.get(relation="child").person
    update_household_facts(user=clerk, household=family, facts={"single_person_applicant": son.pk})
    audit = AuditRecord.objects.filter(action="household.update_facts", object_id=str(family.pk)).last()
    assert audit.changes["single_person_applicant_id"] == [None, son.pk]

    alone = services.assess_household(user=clerk, household_id=family.pk, on=ON)
    assert alone.inputs["single_person_application"] == str(son.pk)
    assert alone.family_size == 1 and alone.category in ("tekun", "dibao")
    counted = {m["id"]: m["counted"] for m in alone.result["members"]}
    assert counted == {str(family.head_id): False, str(son.pk): True}
    assert alone.per_capita_monthly_income == 0
    assert services.recompute(alone) == alone.result


def test_a_one_person_applicant_who_does_not_qualify_is_refused_at_assessment_naming_the_field(family, users):
    clerk = users["township_clerk"]
    update_household_facts(user=clerk, household=family, facts={"single_person_applicant": family.head_id})
    with pytest.raises(ValidationFailed) as err:
        services.assess_household(user=clerk, household_id=family.pk, on=ON)
    assert err.value.field == "single_person_application" and err.value.code == "not_eligible"
