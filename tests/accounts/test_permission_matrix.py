"""Every role × action × (inside, outside its area), at the service and selector layer that the
web, the API and batch jobs all go through. The table below is the specification; it is written
out rather than derived from roles.py so that a change to the matrix has to change it too."""

import pytest

from safetynet.accounts.roles import Perm, Role
from safetynet.assessments import services as assessment_services
from safetynet.core.errors import NotFound, PermissionDenied
from safetynet.registry import selectors, services
from safetynet.registry.areas import VillageSpec, load_villages
from safetynet.registry.models import Area, Household
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, member

OTHER_COUNTY_VILLAGE = "141028100201"

# action -> roles allowed (inside their area). Outside their area every action is refused.
ALLOWED = {
    "view": {
        "village_officer",
        "township_clerk",
        "review_member",
        "review_leader",
        "county_civil",
        "county_agri",
        "leading_office",
        "auditor",
        "admin",
    },
    "create": {"village_officer", "township_clerk", "county_civil", "admin"},
    "edit": {"village_officer", "township_clerk", "county_civil", "admin"},
    "add_member": {"village_officer", "township_clerk", "county_civil", "admin"},
    "reveal": {"village_officer", "township_clerk", "review_leader", "county_civil", "county_agri", "admin"},
    "view_audit": {"auditor", "admin"},
    # Storing an assessment is a write: everyone who sees households except the read-only auditor.
    "assess": {
        "village_officer",
        "township_clerk",
        "review_member",
        "review_leader",
        "county_civil",
        "county_agri",
        "leading_office",
        "admin",
    },
}
INSIDE = {"village_officer": VILLAGE_A}
OUTSIDE = {"village_officer": VILLAGE_B}
for r in ("township_clerk", "review_member", "review_leader"):
    INSIDE[r], OUTSIDE[r] = VILLAGE_A, VILLAGE_C
for r in ("county_civil", "county_agri", "leading_office", "dept_liaison", "auditor", "finance", "admin"):
    INSIDE[r], OUTSIDE[r] = VILLAGE_C, OTHER_COUNTY_VILLAGE


@pytest.fixture
def world(county, users, make_household):
    other = Area.objects.create(code="141028", name="大宁县", level="county", parent=county.parent)
    Area.objects.create(code="141028100", name="昕水镇", level="township", parent=other)
    load_villages([VillageSpec(OTHER_COUNTY_VILLAGE, "城关村", "141028100")])
    homes = {code: make_household(code) for code in (VILLAGE_A, VILLAGE_B, VILLAGE_C, OTHER_COUNTY_VILLAGE)}
    return users, homes


def _do(action, user, household, village_code):
    if action == "view":
        selectors.get_household(user, household.pk)
        assert household in selectors.search_households(user)
    elif action == "create":
        services.create_household(
            user=user,
            village_code=village_code,
            address="新户",
            hukou="rural",
            members=[member(name="新户主")],
        )
    elif action == "edit":
        services.update_household(user=user, household=household, address="改后地址")
    elif action == "add_member":
        services.add_member(
            user=user,
            household=household,
            person=member("child").person,
            membership=member("child").membership,
        )
    elif action == "reveal":
        services.reveal_person(user=user, person_id=household.head_id, reason="核实")
    elif action == "assess":
        assessment_services.assess_household(user=user, household_id=household.pk)
    elif action == "view_audit":
        if not user.can(Perm.VIEW_AUDIT):
            raise PermissionDenied("no")


@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_permission_matrix(world, role, action, where):
    users, homes = world
    user = users[role]
    village = (INSIDE if where == "inside" else OUTSIDE)[role]
    household = homes[village]
    allowed = role in ALLOWED[action] and (where == "inside" or action == "view_audit")
    if allowed:
        _do(action, user, household, village)
        return
    with pytest.raises((PermissionDenied, NotFound)) as err:
        _do(action, user, household, village)
    if role in ALLOWED[action] or (action == "view"):
        # Outside the area, or no household access at all: indistinguishable from a missing object.
        assert isinstance(err.value, NotFound)
    else:
        assert isinstance(err.value, PermissionDenied)


def test_outside_area_answers_exactly_like_a_missing_household(world):
    users, homes = world
    clerk = users["township_clerk"]
    with pytest.raises(NotFound) as outside:
        selectors.get_household(clerk, homes[VILLAGE_C].pk)
    with pytest.raises(NotFound) as missing:
        selectors.get_household(clerk, 10**9)
    assert outside.value.as_dict() == missing.value.as_dict()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_a_household_already_read_is_checked_against_reach_by_the_same_rule(
    world, role, django_assert_num_queries
):
    """`reached_household`: a household read with its village (by a page that read it for another
    purpose) is checked against each role's reach without reading it again, with the same answer
    as reading it through the scoped selector."""
    users, homes = world
    user = users[role]
    for code, home in homes.items():
        read = Household.objects.select_related("village").get(pk=home.pk)
        try:
            expected = selectors.get_household(user, home.pk)
        except NotFound:
            expected = None
        with django_assert_num_queries(0):  # the user's area was read by get_household above
            try:
                got = selectors.reached_household(user, read)
            except NotFound:
                got = None
        assert (got is None) == (expected is None), (role, code)


def test_department_liaison_reaches_no_household(world):
    users, _ = world
    assert not selectors.households_visible_to(users["dept_liaison"]).exists()
    assert not selectors.persons_visible_to(users["dept_liaison"]).exists()


def test_search_lists_only_households_in_reach(world):
    users, homes = world
    assert set(selectors.search_households(users["village_officer"])) == {homes[VILLAGE_A]}
    assert set(selectors.search_households(users["township_clerk"])) == {homes[VILLAGE_A], homes[VILLAGE_B]}
    assert homes[OTHER_COUNTY_VILLAGE] not in set(selectors.search_households(users["auditor"]))


def test_the_written_matrix_matches_roles_module():
    from safetynet.accounts.roles import has_perm

    perm_of = {
        "view": Perm.VIEW_HOUSEHOLD,
        "create": Perm.CREATE_HOUSEHOLD,
        "edit": Perm.EDIT_HOUSEHOLD,
        "add_member": Perm.EDIT_HOUSEHOLD,
        "reveal": Perm.UNMASK_PERSONAL_DATA,
        "view_audit": Perm.VIEW_AUDIT,
        "assess": Perm.ASSESS_HOUSEHOLD,
    }
    for action, perm in perm_of.items():
        assert {r.value for r in Role if has_perm(r, perm)} == ALLOWED[action], action
