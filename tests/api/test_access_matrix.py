"""Every role × action × (inside, outside its area) through the API, with concrete status codes.

"Inside" is a household in 东关村 (昌宁镇), which every role's home area contains. "Outside" is the
same household seen by a user of the same role whose area does not contain it: a village officer
of 光华村, a township role of 光华镇, a county role of a neighbouring county. Outside answers 404
with exactly the body of a missing object; a role without the permission answers 403 without
learning whether the object exists (except where it cannot see households at all: 404).
"""

from __future__ import annotations

import pytest

from safetynet.accounts.roles import PERMISSIONS, ROLE_AREA_LEVEL, Perm, Role
from safetynet.registry.models import Area, Household
from tests.api.conftest import ApiClient, member_body
from tests.conftest import GUANGHUA, VILLAGE_A, VILLAGE_C, new_id

pytestmark = pytest.mark.django_db

NEIGHBOUR_COUNTY = "141030"  # 大宁县: not loaded by the fixtures, created here as a bare area
OUTSIDE_AREA = {"village": VILLAGE_C, "township": GUANGHUA, "county": NEIGHBOUR_COUNTY}

ACTIONS = ("view", "patch", "add_member", "reveal")

# role: {action: (inside, outside)}, written out so that a change to the matrix shows up here.
EXPECTED = {
    Role.VILLAGE_OFFICER: {
        "view": (200, 404),
        "patch": (200, 404),
        "add_member": (201, 404),
        "reveal": (200, 404),
    },
    Role.TOWNSHIP_CLERK: {
        "view": (200, 404),
        "patch": (200, 404),
        "add_member": (201, 404),
        "reveal": (200, 404),
    },
    Role.REVIEW_MEMBER: {
        "view": (200, 404),
        "patch": (403, 404),
        "add_member": (403, 404),
        "reveal": (403, 403),
    },
    Role.REVIEW_LEADER: {
        "view": (200, 404),
        "patch": (403, 404),
        "add_member": (403, 404),
        "reveal": (200, 404),
    },
    Role.COUNTY_CIVIL: {
        "view": (200, 404),
        "patch": (200, 404),
        "add_member": (201, 404),
        "reveal": (200, 404),
    },
    Role.COUNTY_AGRI: {
        "view": (200, 404),
        "patch": (403, 404),
        "add_member": (403, 404),
        "reveal": (200, 404),
    },
    Role.LEADING_OFFICE: {
        "view": (200, 404),
        "patch": (403, 404),
        "add_member": (403, 404),
        "reveal": (403, 403),
    },
    Role.DEPT_LIAISON: {
        "view": (404, 404),
        "patch": (404, 404),
        "add_member": (404, 404),
        "reveal": (403, 403),
    },
    Role.FINANCE: {  # county finance sees payroll totals and bank files, no household
        "view": (404, 404),
        "patch": (404, 404),
        "add_member": (404, 404),
        "reveal": (403, 403),
    },
    Role.AUDITOR: {"view": (200, 404), "patch": (403, 404), "add_member": (403, 404), "reveal": (403, 403)},
    Role.ADMIN: {"view": (200, 404), "patch": (200, 404), "add_member": (201, 404), "reveal": (200, 404)},
}


def _derived(role: Role, action: str, inside: bool) -> int:
    """What the permission matrix in accounts/roles.py implies for the API."""
    perms = PERMISSIONS[role]
    sees = Perm.VIEW_HOUSEHOLD in perms
    if action == "reveal":  # the permission is checked before the person is looked up
        if Perm.UNMASK_PERSONAL_DATA not in perms:
            return 403
        return 200 if inside and sees else 404
    if not (inside and sees):
        return 404
    if action == "view":
        return 200
    if Perm.EDIT_HOUSEHOLD not in perms:
        return 403
    return 201 if action == "add_member" else 200


def test_expected_table_covers_every_role_and_agrees_with_the_permission_matrix():
    assert set(EXPECTED) == set(Role)
    for role, row in EXPECTED.items():
        for action, (inside, outside) in row.items():
            assert (inside, outside) == (_derived(role, action, True), _derived(role, action, False)), (
                role,
                action,
            )


def _call(api: ApiClient, action: str, household_id: int, person_id: int):
    if action == "view":
        return api.get(f"/households/{household_id}")
    if action == "patch":
        return api.patch(f"/households/{household_id}", {"version": 1, "address": "改后的地址"})
    if action == "add_member":
        return api.post(
            f"/households/{household_id}/members", member_body("child", id_number=new_id(), name="张新")
        )
    return api.post(f"/persons/{person_id}/reveal", {"reason": "核对"})


@pytest.fixture
def neighbour_county(county):
    Area.objects.create(code=NEIGHBOUR_COUNTY, name="大宁县", level=Area.Level.COUNTY, parent=county.parent)


@pytest.fixture
def target(make_household):
    return make_household(VILLAGE_A, address="原地址")


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_role_action_area(role, action, inside, make_user, neighbour_county, target):
    code = None if inside else OUTSIDE_AREA[ROLE_AREA_LEVEL[role]]
    api = ApiClient(make_user(role, area_code=code, username=f"{role.value}_{'in' if inside else 'out'}"))
    expected = EXPECTED[role][action][0 if inside else 1]

    r = _call(api, action, target.pk, target.head_id)

    assert r.status_code == expected, r.json()
    body = r.json()
    if expected == 403:
        assert body == {"code": "permission_denied", "message": "您的角色无权执行此操作。", "field": None}
    if expected == 404:
        # indistinguishable from an object that does not exist
        missing = _call(api, action, target.pk + 10_000, target.head_id + 10_000)
        assert missing.status_code == 404 and missing.json() == body
    target.refresh_from_db()
    changed = (target.address, target.version, target.memberships.count()) != ("原地址", 1, 1)
    assert changed == (expected in (200, 201) and action in ("patch", "add_member"))


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_list_shows_the_household_only_inside(role, make_user, neighbour_county, target):
    inside = ApiClient(make_user(role, username=f"{role.value}_in")).get("/households").json()
    outside = (
        ApiClient(
            make_user(role, area_code=OUTSIDE_AREA[ROLE_AREA_LEVEL[role]], username=f"{role.value}_out")
        )
        .get("/households")
        .json()
    )
    sees = Perm.VIEW_HOUSEHOLD in PERMISSIONS[role]
    assert [i["id"] for i in inside["items"]] == ([target.pk] if sees else [])
    assert outside == {"items": [], "count": 0}


@pytest.mark.parametrize("role", [Role.VILLAGE_OFFICER, Role.TOWNSHIP_CLERK, Role.COUNTY_CIVIL])
def test_editing_role_cannot_create_outside_its_area(role, make_user, neighbour_county):
    code = OUTSIDE_AREA[ROLE_AREA_LEVEL[role]]
    api = ApiClient(make_user(role, area_code=code, username=f"{role.value}_out"))
    r = api.post(
        "/households",
        {
            "village": VILLAGE_A,
            "address": "x号",
            "hukou": "rural",
            "members": [member_body(id_number=new_id())],
        },
    )
    assert r.status_code == 404 and r.json()["field"] == "village"
    assert not Household.objects.filter(address="x号").exists()


@pytest.mark.parametrize(
    "role", [r for r in Role if Perm.CREATE_HOUSEHOLD not in PERMISSIONS[r]], ids=lambda r: r.value
)
def test_role_without_create_permission_cannot_create(role, make_user):
    r = ApiClient(make_user(role)).post(
        "/households",
        {
            "village": VILLAGE_A,
            "address": "y号",
            "hukou": "rural",
            "members": [member_body(id_number=new_id())],
        },
    )
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert not Household.objects.filter(address="y号").exists()


def test_member_of_a_household_outside_reach_is_404_like_a_missing_one(make_user, target):
    api = ApiClient(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua"))
    mid = target.memberships.get().pk
    outside = api.patch(f"/households/{target.pk}/members/{mid}", {"name": "李四"})
    missing = api.patch(f"/households/{target.pk + 10_000}/members/{mid}", {"name": "李四"})
    assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
    leave = api.post(
        f"/households/{target.pk}/members/{mid}/leave", {"left_on": "2025-01-01", "reason": "迁出"}
    )
    assert leave.status_code == 404 and leave.json() == missing.json()
