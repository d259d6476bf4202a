"""A family change recorded in the register on an entitled household opens a change case (and
only then); a change on a household with an open case joins it; re-announcing adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.cases.models import Case, Lead
from safetynet.registry.services import changes as family
from tests.conftest import member

pytestmark = pytest.mark.django_db
D = dt.date


DIED = D(2026, 5, 20)


def _death(users, household, relation="spouse", on=DIED):
    family.record_leave(
        user=users["village_officer"],
        household=household,
        membership=household.memberships.get(relation=relation, left_on__isnull=True).pk,
        kind="death",
        left_on=on,
        reason="病故",
    )


def test_a_death_in_an_entitled_household_opens_a_change_case(
    users, recipient, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _death(users, recipient)
    case = Case.objects.get(household=recipient)
    assert (case.kind, case.state) == ("change", "accepted")
    assert "死亡" in case.summary and "2026年05月20日" in case.summary
    lead = Lead.objects.get(household=recipient)
    assert (lead.rule, lead.status, lead.case_id) == ("household_change", "in_case", case.pk)
    assert case.transitions.get().actor_name == users["village_officer"].username


def test_no_case_for_a_household_not_entitled_and_a_second_change_joins_the_open_case(
    users, recipient, make_household, clock, django_capture_on_commit_callbacks
):
    from safetynet.audit.services import SYSTEM
    from safetynet.cases.services.family import open_change_case

    plain = make_household(members=[member("head", name="甲"), member("spouse", name="乙")])
    plain.memberships.update(joined_on=D(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        _death(users, plain)
    assert not Case.objects.filter(household=plain).exists()
    spouse = recipient.memberships.get(relation="spouse").person_id
    with django_capture_on_commit_callbacks(execute=True):
        _death(users, recipient)
    case = Case.objects.get(household=recipient)
    again = open_change_case(
        recipient, change="death", date=D(2026, 5, 20), reason="病故", actor=SYSTEM, persons=[spouse]
    )
    assert again == case and Lead.objects.filter(household=recipient).count() == 1  # same change: no new lead
    later = open_change_case(recipient, change="move_in", date=D(2026, 5, 28), reason="迁入", actor=SYSTEM)
    assert later == case and Case.objects.filter(household=recipient).count() == 1
    assert Lead.objects.filter(household=recipient, case=case).count() == 2
