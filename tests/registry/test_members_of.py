"""A household's members for its page in one query (registry.selectors.members_of): the current in
the order they joined, the past with the latest to leave first, through the user's reach."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safetynet.registry import selectors
from safetynet.registry.models import Membership
from tests.conftest import VILLAGE_A, member


def test_current_in_joining_order_past_latest_leaver_first_in_one_query(make_household, users):
    h = make_household(
        VILLAGE_A,
        members=[
            member("head", name="甲"),
            member("spouse", name="乙"),
            member("child", name="丙"),
            member("child", name="丁"),
            member("parent", name="戊"),
        ],
    )
    ms = list(h.memberships.order_by("id"))
    left = {ms[1].pk: dt.date(2025, 3, 1), ms[2].pk: dt.date(2026, 1, 5), ms[3].pk: dt.date(2025, 3, 1)}
    for pk, day in left.items():
        Membership.objects.filter(pk=pk).update(left_on=day, left_reason="迁出")
    with CaptureQueriesContext(connection) as queries:
        current, past = selectors.members_of(users["township_clerk"], h)
        names = [m.person.name for m in current], [m.person.name for m in past]
    assert names == (["甲", "戊"], ["丙", "乙", "丁"])  # the same day's leavers in joining order
    assert len(queries) == 1


def test_out_of_reach_none(make_household, make_user):
    from safetynet.accounts.roles import Role
    from tests.conftest import VILLAGE_B

    h = make_household(VILLAGE_A, members=[member("head", name="甲")])
    other = make_user(Role.VILLAGE_OFFICER, VILLAGE_B, "other_officer")
    assert selectors.members_of(other, h) == ([], [])
