"""A membership carries its household's village (models.Membership.village), the index a search
by the area's members reads: filled on every way a row is written, moved with its household."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from safetynet.accounts.roles import Role
from safetynet.registry import services
from safetynet.registry.models import Membership
from safetynet.registry.selectors import search_households
from safetynet.registry.services import Mover
from tests.conftest import GUANGHUA, VILLAGE_A, VILLAGE_B, VILLAGE_C, member


def _villages(household) -> set[str]:
    return set(Membership.objects.filter(household=household).values_list("village__code", flat=True))


def _found(user, q: str) -> set[int]:
    return set(search_households(user, q=q).values_list("pk", flat=True))


def test_a_households_rows_carry_its_village_and_move_with_it(make_household, users, make_user):
    family = make_household(
        VILLAGE_A, members=[member("head", name="王建林"), member("spouse", name="李秀英")]
    )
    assert _villages(family) == {VILLAGE_A}
    clerk = users["township_clerk"]  # 昌宁镇
    assert family.pk in _found(clerk, "wjl") and family.pk in _found(clerk, "李秀英")

    services.update_household(user=users["admin"], household=family, village_code=VILLAGE_C)  # to 光华镇
    assert _villages(family) == {VILLAGE_C}
    other = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua")
    assert family.pk in _found(other, "wjl") and family.pk in _found(other, "lxy")
    assert family.pk not in _found(clerk, "wjl") and family.pk not in _found(clerk, "李秀英")


def test_a_split_into_another_village_gives_the_new_rows_its_village(make_household, users):
    family = make_household(
        VILLAGE_A, members=[member("head", name="王大山"), member("child", name="王小军")]
    )
    son = Membership.objects.get(household=family, person__name="王小军")
    new = services.split_household(
        user=users["admin"],
        household=family,
        members=[Mover(son.pk)],
        new_head=son.pk,
        split_on=dt.date.today(),
        reason="分户",
        village_code=VILLAGE_B,
        address="西关街9号",
    )
    assert _villages(new) == {VILLAGE_B} and _villages(family) == {VILLAGE_A}
    assert not Membership.objects.exclude(village_id=F("household__village_id")).exists()
