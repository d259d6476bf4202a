"""分户 and 合户: members move between households on one date; nothing is deleted; an emptied
household is closed and takes no more writes."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import Conflict, NotFound, ValidationFailed
from safetynet.registry import selectors, services
from safetynet.registry.models import Household, Membership
from safetynet.registry.services import Mover
from tests.conftest import GUANGHUA, JOINED, TODAY, VILLAGE_B, VILLAGE_C, member, of
from tests.registry.test_family_changes import refused

DAY = dt.date(2026, 5, 15)


def test_a_split_moves_the_named_members_to_a_new_household_under_their_new_head(
    family, clerk, announced, django_capture_on_commit_callbacks
):
    son, daughter = of(family, "王小军"), of(family, "王小红")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.split_household(
            user=clerk,
            household=family,
            members=[Mover(son.pk), Mover(daughter.pk, "sibling")],
            new_head=son.pk,
            split_on=DAY,
            reason="子女成年另立户",
        )
    assert new.pk != family.pk and new.village_id == family.village_id and new.address == family.address
    assert new.head_id == son.person_id
    moved = {m.person.name: m for m in selectors.current_members(new)}
    assert moved["王小军"].relation == "head" and moved["王小红"].relation == "sibling"
    assert all(m.joined_on == DAY and m.joined_kind == "split" for m in moved.values())
    left = Membership.objects.get(pk=son.pk)
    assert (left.left_on, left.left_kind) == (DAY, "split")
    assert {m.person.name for m in selectors.current_members(family)} == {"王大山", "李秀英"}
    assert (
        AuditRecord.objects.get(action="household.split", object_id=str(family.pk)).reason == "子女成年另立户"
    )
    assert AuditRecord.objects.get(action="household.create", object_id=str(new.pk)).changes[
        "split_from"
    ] == [
        None,
        family.pk,
    ]
    assert [(s["kind"], s["related"].pk) for s in announced] == [("split", new.pk)]


def test_a_split_may_go_to_another_village_and_address_in_reach(family, clerk):
    new = services.split_household(
        user=clerk,
        household=family,
        members=[Mover(of(family, "王小军").pk)],
        new_head=of(family, "王小军").pk,
        split_on=DAY,
        reason="分户",
        village_code=VILLAGE_B,
        address="西关街9号",
    )
    assert (new.village.code, new.address) == (VILLAGE_B, "西关街9号")


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("no members", "members"),
        ("head moves", "members[0].membership"),
        ("new head stays", "new_head"),
        ("bad relation", "members[1].relation"),
        ("head relation", "members[1].relation"),
        ("no reason", "reason"),
        ("future", "split_on"),
        ("before joining", "split_on"),
        ("twice", "members[1].membership"),
    ],
)
def test_split_refusals_name_their_field_and_write_nothing(family, clerk, case, field):
    son, daughter, head = of(family, "王小军"), of(family, "王小红"), of(family, "王大山")
    kwargs = {
        "user": clerk,
        "household": family,
        "members": [Mover(son.pk), Mover(daughter.pk, "sibling")],
        "new_head": son.pk,
        "split_on": DAY,
        "reason": "分户",
    }
    match case:
        case "no members":
            kwargs["members"] = []
        case "head moves":
            kwargs["members"] = [Mover(head.pk), Mover(son.pk)]
        case "new head stays":
            kwargs["new_head"] = of(family, "李秀英").pk
        case "bad relation":
            kwargs["members"][1] = Mover(daughter.pk, "friend")
        case "head relation":
            kwargs["members"][1] = Mover(daughter.pk, "head")
        case "no reason":
            kwargs["reason"] = ""
        case "future":
            kwargs["split_on"] = TODAY + dt.timedelta(days=1)
        case "before joining":
            kwargs["split_on"] = JOINED - dt.timedelta(days=1)
        case "twice":
            kwargs["members"] = [Mover(son.pk), Mover(son.pk)]
    before = Household.objects.count()
    err = refused(ValidationFailed, family, services.split_household, **kwargs)
    assert err.field == field
    assert Household.objects.count() == before


def test_a_split_into_a_village_out_of_reach_is_not_found(family, clerk):
    err = refused(
        NotFound, family, services.split_household,
        user=clerk, household=family, members=[Mover(of(family, "王小军").pk)], new_head=of(family, "王小军").pk,
        split_on=DAY, reason="分户", village_code=VILLAGE_C,
    )  # fmt: skip
    assert err.field == "village"


@pytest.fixture
def parents(make_household, today):
    """The head's parents, a two-person household in the same village."""
    return make_household(
        members=[
            member("head", name="王老汉", birth=dt.date(1940, 1, 1), joined_on=JOINED),
            member("spouse", name="陈老太", birth=dt.date(1942, 1, 1), joined_on=JOINED),
        ]
    )


def test_a_merge_moves_every_member_and_closes_the_emptied_household(
    family, parents, clerk, announced, django_capture_on_commit_callbacks
):
    rel = {of(parents, "王老汉").pk: "parent", of(parents, "陈老太").pk: "parent"}
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_households(
            user=clerk, household=family, other=parents, relations=rel, merged_on=DAY, reason="老人随子女生活"
        )
    names = {m.person.name: m for m in selectors.current_members(family)}
    assert set(names) == {"王大山", "李秀英", "王小军", "王小红", "王老汉", "陈老太"}
    assert names["王老汉"].relation == "parent" and names["王老汉"].joined_kind == "merge"
    closed = Household.objects.get(pk=parents.pk)
    assert closed.closed_on == DAY and "老人随子女生活" in closed.closed_reason
    assert not closed.memberships.filter(left_on__isnull=True).exists()
    assert closed.memberships.count() == 2  # nothing deleted
    assert AuditRecord.objects.filter(action="household.merge", object_id=str(family.pk)).exists()
    assert AuditRecord.objects.filter(action="household.close", object_id=str(parents.pk)).exists()
    assert [(s["kind"], s["related"].pk) for s in announced] == [("merge", parents.pk)]
    err = refused(Conflict, closed, services.update_household, user=clerk, household=closed, address="新址")
    assert err.code == "household_closed"
    again = refused(
        Conflict, family, services.merge_households,
        user=clerk, household=family, other=closed, relations={}, merged_on=DAY, reason="再次",
    )  # fmt: skip
    assert again.code == "household_closed" and again.field == "other"


@pytest.mark.parametrize(
    ("case", "field"), [("missing", "relations[{b}]"), ("self", "other"), ("head", "relations[{a}]")]
)
def test_merge_refusals_name_their_field_and_write_nothing(family, parents, clerk, case, field):
    a, b = of(parents, "王老汉").pk, of(parents, "陈老太").pk
    kwargs = {
        "user": clerk,
        "household": family,
        "other": parents,
        "relations": {a: "parent", b: "parent"},
        "merged_on": DAY,
        "reason": "合户",
    }
    if case == "missing":
        del kwargs["relations"][b]
    elif case == "self":
        kwargs["other"] = family
    elif case == "head":
        kwargs["relations"][a] = "head"
    err = refused(ValidationFailed, family, services.merge_households, **kwargs)
    assert err.field == field.format(a=a, b=b)


def test_a_merge_with_a_household_out_of_reach_is_not_found(family, clerk, make_household, make_user):
    far = make_household(VILLAGE_C, members=[member(name="远亲", joined_on=JOINED)])
    refused(
        NotFound, family, services.merge_households,
        user=clerk, household=family, other=far, relations={}, merged_on=DAY, reason="合户",
    )  # fmt: skip
    outsider = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua")
    refused(
        NotFound, far, services.merge_households,
        user=outsider, household=far, other=family, relations={}, merged_on=DAY, reason="合户",
    )  # fmt: skip
