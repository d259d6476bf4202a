"""The investigating officer's risk judgement and the one-person application (单人户) are household
facts in the register, audited, and reach the policy engine's input."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.assessments.inputs import household_input
from safetynet.assessments.services import assess_household
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import ValidationFailed
from safetynet.registry.inputs import MembershipInput, PersonInput
from safetynet.registry.services import end_membership, update_household_facts, update_member
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


def test_an_applicant_who_leaves_the_household_takes_the_one_person_application_along(family, users):
    """A person who left cannot apply alone as this household: the application goes with them, audited,
    and the household can still be assessed (before, the engine refused an unknown applicant)."""
    clerk = users["township_clerk"]
    spouse_m = family.memberships.get(relation="spouse")
    update_household_facts(
        user=clerk, household=family, facts={"single_person_applicant": spouse_m.person_id}
    )
    end_membership(
        user=clerk, household=family, membership=spouse_m, left_on=spouse_m.joined_on, reason="迁出"
    )
    family.refresh_from_db()
    assert family.single_person_applicant_id is None
    assert "single_person_application" not in household_input(family)
    record = AuditRecord.objects.filter(action="membership.end", object_id=str(family.pk)).last()
    assert record.changes["single_person_applicant_id"] == [spouse_m.person_id, None]
    row = assess_household(user=clerk, household_id=family.pk, on=dt.date(2026, 6, 1))
    assert row.family_size == 1


def test_an_applicant_no_longer_counted_withdraws_the_one_person_application(family, users):
    clerk = users["township_clerk"]
    spouse_m = family.memberships.get(relation="spouse")
    update_household_facts(
        user=clerk, household=family, facts={"single_person_applicant": spouse_m.person_id}
    )
    p = spouse_m.person
    update_member(
        user=clerk,
        household=family,
        membership=spouse_m,
        person=PersonInput(id_number=p.id_number, name=p.name),
        membership_data=MembershipInput(relation="spouse", not_counted_reason="prison"),
    )
    family.refresh_from_db()
    assert family.single_person_applicant_id is None
    record = AuditRecord.objects.filter(action="membership.update", object_id=str(family.pk)).last()
    assert record.changes["single_person_applicant_id"] == [spouse_m.person_id, None]
    # another member's application is left alone when someone else changes
    head_m = family.memberships.get(relation="head")
    update_household_facts(user=clerk, household=family, facts={"single_person_applicant": head_m.person_id})
    update_member(
        user=clerk,
        household=family,
        membership=spouse_m,
        person=PersonInput(id_number=p.id_number, name=p.name),
        membership_data=MembershipInput(relation="spouse", not_counted_reason="prison", co_resident=False),
    )
    family.refresh_from_db()
    assert family.single_person_applicant_id == head_m.person_id
