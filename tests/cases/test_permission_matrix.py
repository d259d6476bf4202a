"""Every transition × every role × (inside, outside its area), at the service layer that the web
and the API share. The table is the specification, written out (not derived from roles.py).

Allowed inside → the permission check passes (a guard may still refuse: that is not a
permission answer); outside → NotFound exactly like a missing case; a role without the
permission inside → PermissionDenied; a role that reaches no household → NotFound."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.cases import services, workflow
from safetynet.cases.models import Case
from safetynet.core.errors import NotFound, PermissionDenied, SafetynetError
from safetynet.registry.areas import VillageSpec, load_villages
from safetynet.registry.models import Area
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, member

OTHER_COUNTY_VILLAGE = "141028100201"
TOWNSHIP = {"township_clerk", "review_member", "review_leader"}
COUNTY = {"county_civil", "county_agri", "leading_office", "dept_liaison", "auditor", "finance", "admin"}

# transition -> roles that may fire it inside their area
ALLOWED = {
    "start_investigation": {"village_officer", "township_clerk", "admin"},
    "start_verification": {"village_officer", "township_clerk", "admin"},
    "complete_verification": {"township_clerk", "county_civil", "admin"},
    "village_review_passed": {"village_officer", "township_clerk", "admin"},
    "village_review_reinvestigate": {"village_officer", "township_clerk", "admin"},
    "decide_with_notice": {"review_member", "review_leader", "admin"},
    "decide_without_notice": {"review_member", "review_leader", "admin"},
    "refer_leading_group": {"review_member", "review_leader", "admin"},
    "leading_group_with_notice": {"leading_office", "admin"},
    "leading_group_without_notice": {"leading_office", "admin"},
    "objection": {"village_officer", "township_clerk", "admin"},
    "close_notice": {"township_clerk", "admin"},
    "county_file": {"county_civil", "admin"},
    "refuse": {"township_clerk", "review_leader", "admin"},
    "refuse_by_township": {"review_member", "review_leader", "admin"},
    "refuse_by_leading_group": {"leading_office", "admin"},
    "refuse_filing": {"county_civil", "admin"},
    "withdraw": {"village_officer", "township_clerk", "admin"},
    # change, review and stop cases
    "start_reverification": {"village_officer", "township_clerk", "admin"},
    "complete_reverification": {"township_clerk", "county_civil", "admin"},
    "decide_unchanged": {"review_member", "review_leader", "admin"},
    "decide_change": {"review_member", "review_leader", "admin"},
    "decide_stop": {"review_member", "review_leader", "admin"},
    "stop_objection": {"review_member", "review_leader", "admin"},
    "close_stop_notice": {"review_member", "review_leader", "admin"},
}
DYNAMIC = {"decide_unchanged": "confirm", "decide_change": "change", "decide_stop": "stop"}
NO_REACH = {"dept_liaison", "finance"}


def _call(name: str, user, case: Case):
    v = None
    plain = ("start_investigation", "start_verification", "complete_verification", "close_notice")
    if name in plain + ("start_reverification", "complete_reverification", "close_stop_notice"):
        return services.transition_case(user=user, case=case, name=name, expected_version=v)
    if name in DYNAMIC:
        return services.decide_change(
            user=user, case=case, expected_version=v, action=DYNAMIC[name], reason="理由"
        )
    if name == "stop_objection":
        return services.record_stop_objection(user=user, case=case, expected_version=v, content="申辩")
    if name == "withdraw":
        return services.withdraw_case(user=user, case=case, expected_version=v, reason="撤回")
    if name.startswith("village_review"):
        return services.record_village_review(
            user=user,
            case=case,
            expected_version=v,
            held_on=dt.date(2026, 6, 1),
            attendees="x",
            attendee_count=5,
            votes_for=5,
            votes_against=0,
            record_id=0,
        )
    if name.startswith("decide_") or name == "refer_leading_group":
        return services.record_township_decision(
            user=user, case=case, expected_version=v, action="confirm", panel="三人"
        )
    if name.startswith("leading_group"):
        return services.record_leading_group_decision(
            user=user, case=case, expected_version=v, approved=True, meeting="m", opinion="o"
        )
    if name == "objection":
        return services.record_objection(user=user, case=case, expected_version=v, content="异议")
    if name == "county_file":
        return services.file_case(user=user, case=case, expected_version=v)
    if name.startswith("refuse"):
        return services.refuse_case(user=user, case=case, expected_version=v, reason="理由")
    raise AssertionError(name)


@pytest.fixture
def homes(county, make_household):
    other = Area.objects.create(code="141028", name="大宁县", level="county", parent=county.parent)
    Area.objects.create(code="141028100", name="昕水镇", level="township", parent=other)
    load_villages([VillageSpec(OTHER_COUNTY_VILLAGE, "城关村", "141028100")])
    return {
        code: make_household(code, members=[member(name="测试户")])
        for code in (VILLAGE_A, VILLAGE_B, VILLAGE_C, OTHER_COUNTY_VILLAGE)
    }


def _village(role: str, where: str) -> str:
    if role == "village_officer":
        return VILLAGE_A if where == "inside" else VILLAGE_B
    if role in TOWNSHIP:
        return VILLAGE_A if where == "inside" else VILLAGE_C
    return VILLAGE_C if where == "inside" else OTHER_COUNTY_VILLAGE


def test_the_matrix_covers_every_transition():
    assert set(ALLOWED) == {t.name for t in workflow.TRANSITIONS}


@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("name", list(ALLOWED))
def test_transition_permissions(homes, users, clock, name, role, where):
    household = homes[_village(role, where)]
    t = workflow.transition(name)
    case = Case.objects.create(
        reference=f"T-{name}-{role}-{where}"[:24],
        household=household,
        accepted_on=clock.day,
        deadline=clock.day,
        state=t.sources[0].value,
        kind="review" if workflow._dynamic in t.guards or name == "stop_objection" else "application",
    )
    user = users[role]
    allowed = role in ALLOWED[name] and where == "inside"
    try:
        _call(name, user, case)
    except (PermissionDenied, NotFound) as err:
        assert not allowed, f"{role} refused {name} inside: {err.message}"
        if where == "outside" or role in NO_REACH:
            assert isinstance(err, NotFound) and err.code == "case_not_found"
        else:
            assert isinstance(err, PermissionDenied)
    except SafetynetError:
        assert allowed, f"{role} passed the permission check of {name} ({where})"
    else:
        assert allowed, f"{role} fired {name} ({where})"
