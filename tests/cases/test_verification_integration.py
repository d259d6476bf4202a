"""经济状况核对 wired into the case: a request from the verification step queries the departments'
data, attaches one result per counted member with provenance, and the township decision's
proposal is computed from the verified input and records it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from safetynet.accounts.roles import Role
from safetynet.assessments.models import Assessment
from safetynet.audit.models import AuditRecord
from safetynet.cases.models import TownshipDecision, VerificationResult
from safetynet.verification.models import VerificationReport
from tests.api.conftest import ApiClient
from tests.cases.test_web import login
from tests.conftest import GUANGHUA
from tests.verification.conftest import (  # noqa: F401  (autouse: own data dir)
    AS_OF,
    _own_data_dir,
    csv_bytes,
)
from tests.verification.conftest import upload as department_upload

pytestmark = pytest.mark.django_db

VEHICLE_TEXT = "小型汽车评估价值 86,000.00 元（来自车船登记，截至2026-05-01）"
WAGE_TEXT = "工资性收入 3,600.00 元/近12个月（来自社会保险，截至2026-05-01）"


def _people(household):
    ms = household.memberships.filter(left_on__isnull=True).select_related("person").order_by("id")
    return {m.relation: m.person for m in ms}


def _load_wages_and_savings(admin, household):
    """社保: the head earned 3,600 in twelve months (declared: nothing); 金融: the spouse holds the
    3,000 the family declared."""
    p = _people(household)
    department_upload(
        admin,
        "social_insurance",
        csv_bytes(
            ["id_number", "name", "wage_12m", "pension_12m", "as_of"],
            [[p["head"].id_number, p["head"].name, "3600", "", AS_OF]],
        ),
    )
    department_upload(
        admin,
        "financial",
        csv_bytes(
            ["id_number", "name", "institution", "kind", "balance", "as_of"],
            [[p["spouse"].id_number, p["spouse"].name, "乡宁农商银行", "deposit", "3000", AS_OF]],
        ),
    )


def _load_vehicle(admin, household):
    p = _people(household)
    department_upload(
        admin,
        "vehicle",
        csv_bytes(
            ["id_number", "name", "plate", "kind", "value", "as_of"],
            [[p["head"].id_number, p["head"].name, "晋L12345", "car", "86000", AS_OF]],
        ),
    )


def _to_verification(proc):
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    proc.investigate()  # declares financial assets 3,000, no income, no vehicle
    proc.consent()
    proc.fire("village_officer", "start_verification")
    assert proc.data["state"] == "verification"


def _request(proc, role="township_clerk", status=201, **body):
    return proc.post(role, "/verification-requests", {"version": proc.version, **body}, status)


def test_a_request_attaches_one_result_per_member_with_provenance(proc, users):
    _load_wages_and_savings(users["admin"], proc.household)
    _to_verification(proc)
    data = _request(proc)
    report = VerificationReport.objects.get(pk=data["report"]["id"])
    assert report.case_reference == data["reference"] and report.household == proc.household
    people = _people(proc.household)
    results = {r["person_id"]: r for r in data["records"]["verification_results"]}
    assert set(results) == {people["head"].pk, people["spouse"].pk}
    head, spouse = results[people["head"].pk], results[people["spouse"].pk]
    assert head["origin"] == "automatic" and head["external_ref"] == str(report.pk)
    assert head["outcome"] == "discrepancy"
    assert WAGE_TEXT in head["summary"]
    assert "工资性收入（元/12个月）：申报 0，核对 3600.00，认定采用核对值" in head["summary"]
    assert head["sources"]["social_insurance"]["as_of"] == AS_OF
    assert head["sources"]["social_insurance"]["findings"] == [WAGE_TEXT]
    assert set(head["sources"]) == {"social_insurance", "financial_assets"}  # the sources that have data
    assert "未提供数据：户籍、不动产登记、市场主体登记、车船登记。" in head["summary"]
    assert spouse["outcome"] == "consistent"  # 3,000 in the bank, 3,000 declared
    assert "乡宁农商银行余额 3,000.00 元（来自金融资产，截至2026-05-01）" in spouse["summary"]
    by_field = {c["field"]: c for c in data["comparison"]}
    assert by_field["members.0.income_12m.wage"]["used"] == "verified"
    # The case stays in verification until the clerk completes it; audited on the case and household.
    assert data["state"] == "verification"
    assert AuditRecord.objects.filter(
        action="case.verification_results", object_type="case", object_id=str(proc.case_id)
    ).exists()
    audit = AuditRecord.objects.get(action="verification.request", object_id=str(proc.household.pk))
    assert audit.changes["case"] == data["reference"] and audit.changes["report"] == report.pk


def test_the_decision_is_made_on_the_verified_income_and_records_it(proc, users):
    _load_wages_and_savings(users["admin"], proc.household)
    _to_verification(proc)
    report_id = _request(proc)["report"]["id"]
    proc.fire("township_clerk", "complete_verification")
    proc.review()
    review_assessment = Assessment.objects.filter(household=proc.household).order_by("-id").first()
    assert review_assessment.verification["report"] == report_id  # the village review's check too
    proposal = proc.ok(proc.api["review_leader"].post(f"/cases/{proc.case_id}/proposal", {}))
    assert proposal["verification"]["report"] == report_id
    assessment = Assessment.objects.get(pk=proposal["id"])
    head = next(m for m in assessment.inputs["members"] if m["id"] == str(_people(proc.household)["head"].pk))
    assert head["income_12m"]["wage"] == "3600.00"
    assert assessment.per_capita_monthly_income == Decimal("150.00")  # 3,600 / 12 / 2
    since = VerificationReport.objects.get(pk=report_id).requested_at
    later = Assessment.objects.filter(household=proc.household, created_at__gte=since)
    assert all(a.verification["report"] == report_id for a in later)  # none on the declared facts alone

    proc.decide(assessment_id=assessment.pk)
    decision = TownshipDecision.objects.get(case_id=proc.case_id)
    assert decision.category == "dibao"
    assert decision.inputs == assessment.inputs
    assert decision.verification["report"] == report_id
    wage = next(c for c in decision.verification["comparison"] if c["field"] == "members.0.income_12m.wage")
    assert wage["declared"] == "0" and wage["verified"] == "3600.00" and wage["used"] == "verified"
    assert wage["provenance"] == [WAGE_TEXT]
    api_decision = proc.data["records"]["decisions"][0]
    assert api_decision["verification"]["report"] == report_id
    explained = proc.ok(
        proc.api["review_leader"].get(f"/cases/{proc.case_id}/decisions/{decision.pk}/explain")
    )
    assert explained["identical"] is True  # recomputed from the frozen verified input


def test_an_undeclared_vehicle_found_by_verification_fails_the_asset_test(proc, users):
    _load_vehicle(users["admin"], proc.household)
    _to_verification(proc)
    data = _request(proc)
    head = next(
        r
        for r in data["records"]["verification_results"]
        if r["person_id"] == _people(proc.household)["head"].pk
    )
    assert head["outcome"] == "discrepancy" and VEHICLE_TEXT in head["summary"]
    assert head["sources"]["vehicles"]["findings"] == [VEHICLE_TEXT]
    proc.fire("township_clerk", "complete_verification")
    proc.review()
    proposal = proc.ok(proc.api["review_leader"].post(f"/cases/{proc.case_id}/proposal", {}))
    assessment = Assessment.objects.get(pk=proposal["id"])
    assert assessment.inputs["assets"]["vehicles"] == [{"value": "86000.00", "exempt": False}]
    assert assessment.category == "none"
    assert "non_exempt_vehicle" in str(assessment.result["trace"])
    vehicles = next(c for c in assessment.verification["comparison"] if c["field"] == "assets.vehicles")
    assert vehicles["declared"] == "0 / 0" and vehicles["used"] == "verified"
    assert vehicles["provenance"] == [VEHICLE_TEXT]
    # The review group overrides with a reason: the decision still freezes the verified input.
    proc.decide(
        action="override",
        assessment_id=assessment.pk,
        reason="车辆为家庭唯一的生产经营用车，经入户核实",
        values={"category": "dibao_edge", "benefit_monthly": "0"},
    )
    decision = TownshipDecision.objects.get(case_id=proc.case_id)
    assert decision.inputs["assets"]["vehicles"] == [{"value": "86000.00", "exempt": False}]
    assert decision.verification["report"] == data["report"]["id"]


def test_without_consent_the_request_is_refused_with_its_field(proc, users):
    _load_vehicle(users["admin"], proc.household)
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    proc.investigate()
    r = proc.api["township_clerk"].post(
        f"/cases/{proc.case_id}/verification-requests", {"version": proc.version}
    )
    assert r.status_code == 400
    assert r.json() == {
        "code": "consent_missing",
        "message": "承诺授权书未上传，不能发起经济状况核对。",
        "field": "consent",
    }
    assert not VerificationReport.objects.exists()
    proc.consent()  # with the letter but before the verification step: the wrong state
    r = proc.api["township_clerk"].post(f"/cases/{proc.case_id}/verification-requests", {})
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"


def test_a_case_outside_the_area_is_not_found_and_other_roles_may_not_request(proc, users, make_user):
    _to_verification(proc)
    outsider = ApiClient(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua"))
    r = outsider.post(f"/cases/{proc.case_id}/verification-requests", {})
    missing = outsider.post("/cases/999999/verification-requests", {})
    assert r.status_code == missing.status_code == 404
    assert r.json() == missing.json() and r.json()["code"] == "case_not_found"
    assert (
        proc.api["review_member"].post(f"/cases/{proc.case_id}/verification-requests", {}).status_code == 403
    )
    stale = proc.api["township_clerk"].post(
        f"/cases/{proc.case_id}/verification-requests", {"version": proc.version - 1}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert not VerificationReport.objects.exists()


def test_a_second_request_supersedes_the_first_results(proc, users):
    _load_wages_and_savings(users["admin"], proc.household)
    _to_verification(proc)
    first = _request(proc)
    _load_vehicle(users["admin"], proc.household)  # the vehicle registry's file arrives later
    second = _request(proc)
    assert second["report"]["id"] != first["report"]["id"]
    current = second["records"]["verification_results"]
    assert len(current) == 2  # one per counted member, not four
    assert {r["external_ref"] for r in current} == {str(second["report"]["id"])}
    head = _people(proc.household)["head"]
    assert VEHICLE_TEXT in next(r for r in current if r["person_id"] == head.pk)["summary"]
    rows = VerificationResult.objects.filter(case_id=proc.case_id).order_by("id")
    assert rows.count() == 4
    old, new = list(rows[:2]), list(rows[2:])
    assert [o.superseded_by_id for o in old] == [n.pk for n in new]
    assert all(n.superseded_by_id is None for n in new)
    proc.fire("township_clerk", "complete_verification")
    proc.review()
    proposal = proc.ok(proc.api["review_leader"].post(f"/cases/{proc.case_id}/proposal", {}))
    assert proposal["verification"]["report"] == second["report"]["id"]


def test_the_case_page_requests_verification_and_shows_declared_beside_verified(proc, users):
    _load_wages_and_savings(users["admin"], proc.household)
    _load_vehicle(users["admin"], proc.household)
    _to_verification(proc)
    clerk = login(users["township_clerk"])
    page = clerk.get(f"/cases/{proc.case_id}/").content.decode()
    assert "发起经济状况核对" in page and 'id="verification-report"' not in page
    r = clerk.post(f"/cases/{proc.case_id}/do/verification_request/", {"version": proc.version})
    assert r.status_code == 302
    page = clerk.get(f"/cases/{proc.case_id}/").content.decode()
    assert 'id="verification-report"' in page
    assert VEHICLE_TEXT in page and WAGE_TEXT in page
    household = page.split('id="verification-household"')[1].split("</table>")[0]
    assert "车船登记" in household and "0 / 0" in household and "1 / 86000.00" in household
    assert "<strong>核对值</strong>" in household and "王*山：" + VEHICLE_TEXT in household
    assert "与申报不一致" in page
    assert "测算将采用的数值" in page
    proc.refresh()
    proc.fire("township_clerk", "complete_verification")
    proc.review()
    proc.decide(
        action="override",
        reason="经入户核实车辆为生产经营用车",
        values={"category": "dibao_edge", "benefit_monthly": "0"},
    )
    page = login(users["review_leader"]).get(f"/cases/{proc.case_id}/").content.decode()
    assert "审核确认决定所用的数值" in page
    report_id = VerificationReport.objects.get().pk
    assert f"依据经济状况核对报告#{report_id}核对后的数据" in page
