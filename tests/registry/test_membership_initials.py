"""A membership carries its person's pinyin initials (models.Membership.name_initials), the index a
search by initials in an area reads: filled when a row is written, renamed with the person."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from safetynet.registry import inputs, services
from safetynet.registry.models import Membership
from safetynet.registry.selectors import search_households
from tests.conftest import VILLAGE_A, VILLAGE_B, member


def _found(user, q: str) -> set[int]:
    return set(search_households(user, q=q).values_list("pk", flat=True))


def _all_rows_agree() -> bool:
    return not Membership.objects.exclude(name_initials=F("person__name_initials")).exists()


def test_a_members_new_name_is_searched_by_its_new_initials(make_household, users):
    family = make_household(
        VILLAGE_A, members=[member("head", name="王建林"), member("spouse", name="李秀英")]
    )
    clerk = users["township_clerk"]
    assert family.pk in _found(clerk, "wjl") and _all_rows_agree()
    wife = Membership.objects.select_related("person").get(household=family, relation="spouse")
    services.update_member(  # the name and the row's own fields in one change
        user=clerk,
        household=family,
        membership=wife,
        person=inputs.PersonInput(id_number=wife.person.id_number, name="赵秀英"),
        membership_data=inputs.MembershipInput(
            relation="spouse", co_resident=False, not_counted_reason="not_coresident"
        ),
    )
    wife.refresh_from_db()
    assert wife.name_initials == "zxy" and not wife.co_resident
    assert family.pk in _found(clerk, "zxy") and family.pk not in _found(clerk, "lxy")
    assert _all_rows_agree()


def test_a_person_registered_again_under_a_new_name_renames_their_rows(make_household, users):
    admin = users["admin"]
    first = make_household(VILLAGE_A, members=[member("head", name="王大山"), member("child", name="王芳")])
    daughter = Membership.objects.select_related("person").get(household=first, person__name="王芳")
    services.end_membership(
        user=admin, household=first, membership=daughter, left_on=dt.date.today(), reason="出嫁"
    )
    second = make_household(VILLAGE_B, members=[member("head", name="孙强")])
    services.add_member(
        user=admin,
        household=second,
        person=inputs.PersonInput(id_number=daughter.person.id_number, name="李芳"),
        membership=inputs.MembershipInput(relation="spouse"),
    )
    assert set(Membership.objects.filter(person=daughter.person).values_list("name_initials", flat=True)) == {
        "lf"
    }
    assert second.pk in _found(admin, "lf") and second.pk not in _found(admin, "wf")
    assert _all_rows_agree()
