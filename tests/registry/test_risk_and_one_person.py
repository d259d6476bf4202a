"""The investigating officer's risk judgement and the one-person application (单人户) are household
facts in the register, audited, and reach the policy engine's input."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.assessments.inputs import household_input
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import ValidationFailed
from safetynet.registry.services import update_household_facts
from tests.conftest import VILLAGE_A, member


@pytest.fixture
def family(make_household):
    return make_household(
        VILLAGE_A,
        members=[
            member("head", name="孙德胜", birth=dt.date(1980, 5, 1)),
            member("spouse", name="周桂兰", birth=dt.date(1982, 7, 9)),
        ],
    )


def test_a_risk_judgement_needs_its_reason_and_reaches_the_engine(family, users):
    clerk = users["township_clerk"]
    with pytest.raises(ValidationFailed) as err:
        update_household_facts(user=clerk, household=family, facts={"risk_judgement": True})
    assert err.value.field == "risk_judgement_reason"
    with pytest.raises(ValidationFailed) as err:
        update_household_facts(
            user=clerk, household=family, facts={"risk_judgement": "yes", "risk_judgement_reason": "x"}
        )
    assert err.value.field == "risk_judgement"
    assert "risk_judgement" not in household_input(family)  # not judged: the events decide
    h = update_household_facts(
        user=clerk, household=family, facts={"risk_judgement": True, "risk_judgement_reason": "户主务工不稳"}
    )
    assert household_input(h)["risk_judgement"] is True
    record = AuditRecord.objects.filter(action="household.update_facts", object_id=str(family.pk)).last()
    assert record.changes["risk_judgement"] == [None, True]


def test_a_one_person_application_names_a_counted_member_and_reaches_the_engine(family, users):
    clerk = users["township_clerk"]
    spouse = family.memberships.get(relation="spouse").person
    with pytest.raises(ValidationFailed) as err:
        update_household_facts(user=clerk, household=family, facts={"single_person_applicant": 999999})
    assert err.value.field == "single_person_applicant"
    h = update_household_facts(user=clerk, household=family, facts={"single_person_applicant": spouse.pk})
    assert household_input(h)["single_person_application"] == str(spouse.pk)
    h = update_household_facts(user=clerk, household=h, facts={"single_person_applicant": 0})
    assert "single_person_application" not in household_input(h)
