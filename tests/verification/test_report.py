"""Per-case verification: per member and source what was found, as of when, what it means; the
verified policy input with provenance, declared and verified side by side."""

from __future__ import annotations

import pytest

from safetynet.assessments.services import assess_payload
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.verification.models import VerificationReport
from safetynet.verification.report import verified_input
from safetynet.verification.services import request_verification
from tests.verification.conftest import AS_OF, csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(admin, small_register):
    reg = small_register
    upload(
        admin,
        "vehicle",
        csv_bytes(
            ["id_number", "name", "plate", "kind", "value", "as_of"],
            [[reg["r_head"], "王建国", "晋L1", "car", "86000", AS_OF]],
        ),
    )
    upload(
        admin,
        "financial",
        csv_bytes(
            ["id_number", "name", "institution", "kind", "balance", "as_of"],
            [[reg["r_spouse"], "李秀英", "农商行", "deposit", "500", AS_OF]],
        ),
    )
    upload(
        admin,
        "social_insurance",
        csv_bytes(
            ["id_number", "name", "wage_12m", "pension_12m", "as_of"],
            [[reg["r_head"], "王建国", "24000", "", AS_OF]],
        ),
    )
    upload(
        admin,
        "medical",
        csv_bytes(
            ["id_number", "name", "total_cost_12m", "self_paid_12m", "as_of"],
            [[reg["r_spouse"], "李秀英", "30000", "12000", AS_OF]],
        ),
    )
    return reg


def test_report_per_member_and_source_with_provenance(data, clerk):
    report = request_verification(user=clerk, household=data["r"], consent=True)
    head = next(m for m in report["members"] if m["relation"] == "head")
    vehicle = next(s for s in head["sources"] if s["source"] == "vehicle")
    assert vehicle["found"] and vehicle["as_of"] == AS_OF and vehicle["period"] == "2026-05"
    assert vehicle["effects"][0]["text"] == "小型汽车评估价值 86,000.00 元（来自车船登记，截至2026-05-01）"
    hukou = next(s for s in head["sources"] if s["source"] == "hukou")
    assert hukou["queried"] is False and hukou["found"] is False
    assert VerificationReport.objects.get(pk=report["id"]).household == data["r"]


def test_verified_input_overrides_declared_values_and_says_which_was_used(data, clerk):
    report = request_verification(user=clerk, household=data["r"], consent=True)
    policy_input, comparison = verified_input(data["r"], report)
    by_field = {c["field"]: c for c in comparison}
    assert policy_input["assets"]["vehicles"] == [{"value": "86000.00", "exempt": False}]
    assert by_field["assets.vehicles"]["used"] == "verified"
    assert "车船登记" in by_field["assets.vehicles"]["provenance"][0]
    fin = by_field["assets.financial"]  # declared 2000 > verified 500: the declaration stands
    assert fin["declared"] == "2000.00" and fin["verified"] == "500.00" and fin["used"] == "declared"
    assert by_field["members.0.income_12m.wage"]["verified"] == "24000.00"
    assert policy_input["rigid_expenditure_12m"]["medical"] == "12000.00"
    result = assess_payload(policy_input)  # the policy engine accepts the verified input
    assert result is not None


def test_consent_is_required_and_reach_is_checked(data, clerk, users, make_user):
    with pytest.raises(ValidationFailed):
        request_verification(user=clerk, household=data["r"], consent=False)
    elsewhere = make_user("township_clerk", "141029101", "clerk_elsewhere")
    with pytest.raises(NotFound):  # a household outside the clerk's township: as if missing
        request_verification(user=elsewhere, household=data["n"], consent=True)
    with pytest.raises(PermissionDenied):  # one permission, `verify`: a reviewer or officer lacks it
        request_verification(user=users["review_member"], household=data["r"], consent=True)
    with pytest.raises(PermissionDenied):
        request_verification(user=users["village_officer"], household=data["r"], consent=True)
