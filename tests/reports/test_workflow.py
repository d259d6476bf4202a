"""The report's workflow: prepared by the township, submitted, approved by county civil affairs;
each step audited with who and when; refusals are specific and write nothing; approved is locked."""

from __future__ import annotations

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safetynet.reports import figures, selectors, services
from safetynet.reports.models import MonthlyReport
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A
from tests.reports.conftest import D, open_

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "clerk": make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_cn"),
        "other_clerk": make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh"),
        "officer": make_user(Role.VILLAGE_OFFICER, VILLAGE_A, "officer_a"),
        "county": make_user(Role.COUNTY_CIVIL, "141029", "county_mz"),
        "leader": make_user(Role.REVIEW_LEADER, CHANGNING, "leader_cn"),
        "admin": make_user(Role.ADMIN, "141029", "admin_x"),
    }


def prepare(user, month="2026-05", township=CHANGNING):
    return services.prepare_report(user=user, township=township, month=month)


def approved(people, month):
    report, _ = prepare(people["clerk"], month)
    services.submit_report(user=people["clerk"], report=report)
    return services.approve_report(user=people["county"], report=report)


def audit_actions(report) -> list[tuple[str, str]]:
    rows = AuditRecord.objects.filter(object_type="monthly_report", object_id=str(report.pk)).order_by("seq")
    return [(r.action, r.actor) for r in rows]


def test_prepare_submit_approve_each_audited_with_who_and_when(people, make_household):
    open_(make_household(), D(2026, 5, 1))
    report, created = prepare(people["clerk"])
    assert created and report.status == "draft" and report.figures["totals"]["new_households"] == 1
    assert report.digest == figures.digest(report.figures)
    services.submit_report(user=people["clerk"], report=report)
    report = services.approve_report(user=people["county"], report=report)
    assert report.status == "approved" and report.approved_by == people["county"] and report.approved_at
    assert audit_actions(report) == [
        ("monthly_report.prepare", "clerk_cn"),
        ("monthly_report.submit", "clerk_cn"),
        ("monthly_report.approve", "county_mz"),
    ]
    rec = AuditRecord.objects.get(action="monthly_report.approve")
    assert rec.at and rec.role == "county_civil" and rec.changes["status"] == ["submitted", "approved"]


def test_preparing_twice_replaces_the_draft_never_two_reports(people, make_household):
    h = make_household()
    first, created = prepare(people["clerk"])
    assert created and first.figures["households"] == []
    open_(h, D(2026, 5, 1))
    again, created = prepare(people["clerk"])
    assert not created and again.pk == first.pk and again.version == first.version + 1
    assert [x["household_id"] for x in again.figures["households"]] == [h.pk]
    assert MonthlyReport.objects.count() == 1
    assert AuditRecord.objects.filter(action="monthly_report.prepare").last().changes["replaced"] is False
    assert AuditRecord.objects.filter(action="monthly_report.prepare").first().changes["replaced"] is True


def test_refusals_are_specific_and_write_nothing(people):
    report, _ = prepare(people["clerk"])
    with pytest.raises(Conflict) as e:
        services.approve_report(user=people["county"], report=report)
    assert e.value.code == "wrong_status" and "尚未" not in e.value.message and "已编制" in e.value.message
    services.submit_report(user=people["clerk"], report=report)
    with pytest.raises(Conflict) as e:
        prepare(people["clerk"])
    assert e.value.code == "report_submitted" and e.value.field == "month"
    with pytest.raises(Conflict):
        services.submit_report(user=people["clerk"], report=report)
    with pytest.raises(ValidationFailed) as e:
        services.return_report(user=people["county"], report=report, reason=" ")
    assert e.value.field == "reason"
    services.approve_report(user=people["county"], report=report)
    before = audit_actions(report)
    for attempt in (
        lambda: prepare(people["clerk"]),
        lambda: services.submit_report(user=people["clerk"], report=report),
        lambda: services.approve_report(user=people["county"], report=report),
        lambda: services.return_report(user=people["county"], report=report, reason="数字有误"),
    ):
        with pytest.raises(Conflict) as e:
            attempt()
        assert "锁定" in e.value.message or "已审批" in e.value.message
    assert audit_actions(report) == before
    report.refresh_from_db()
    assert report.status == "approved" and report.version == 3


def test_a_returned_report_is_a_draft_again_with_the_reason(people):
    report, _ = prepare(people["clerk"])
    services.submit_report(user=people["clerk"], report=report)
    report = services.return_report(user=people["county"], report=report, reason="减少户数与台账不符")
    assert report.status == "draft" and report.returned_reason == "减少户数与台账不符"
    report, created = prepare(people["clerk"])
    assert not created and report.returned_reason == ""


def test_who_may_do_what(people, make_household):
    for role in ("officer", "county", "leader", "admin"):
        with pytest.raises(PermissionDenied):
            prepare(people[role])
    with pytest.raises(NotFound) as e:  # another township's clerk: not theirs, not there
        prepare(people["other_clerk"])
    assert e.value.field == "township"
    report, _ = prepare(people["clerk"])
    with pytest.raises(NotFound):
        selectors.get_report(people["other_clerk"], report.pk)
    with pytest.raises(NotFound):
        services.submit_report(user=people["other_clerk"], report=report)
    with pytest.raises(NotFound):
        selectors.get_report(people["officer"], report.pk)
    services.submit_report(user=people["clerk"], report=report)
    for role in ("clerk", "leader", "admin"):
        with pytest.raises(PermissionDenied):
            services.approve_report(user=people[role], report=report)
    assert selectors.get_report(people["leader"], report.pk) == report
    assert list(selectors.reports_visible_to(people["county"])) == [report]
    assert list(selectors.reports_visible_to(people["other_clerk"])) == []
    assert list(selectors.reports_visible_to(people["officer"])) == []


def test_bad_months_are_refused_with_the_field(people, monkeypatch):
    for bad in ("2026-13", "May", ""):
        with pytest.raises(ValidationFailed) as e:
            prepare(people["clerk"], bad)
        assert (e.value.code, e.value.field) == ("invalid_month", "month")
    with pytest.raises(ValidationFailed) as e:
        prepare(people["clerk"], "2099-01")
    assert (e.value.code, e.value.field) == ("month_not_ended", "month")
    assert MonthlyReport.objects.count() == 0


def test_months_are_reported_in_order(people):
    approved(people, "2026-05")
    with pytest.raises(Conflict) as e:
        prepare(people["clerk"], "2026-04")
    assert e.value.code == "later_report_exists"
    with pytest.raises(Conflict) as e:  # June skipped
        prepare(people["clerk"], "2026-07")
    assert e.value.code == "previous_not_approved"
    prepare(people["clerk"], "2026-06")
    with pytest.raises(Conflict) as e:  # June still a draft
        prepare(people["clerk"], "2026-07")
    assert e.value.code == "previous_not_approved" and "2026年6月" in e.value.message
    assert MonthlyReport.objects.count() == 2
