"""Temporary relief end to end through the API: allocation, an outside-register emergency paid
first, the paperwork, a cash grant with its receipt, the statement, the notice, and the errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safetynet.relief.models import FundEntry, ReliefApplication, ReserveFund
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, VILLAGE_A, VILLAGE_C

pytestmark = pytest.mark.django_db


def test_relief_first_through_the_api(people, make_household, today):
    county, clerk, officer = ApiClient(people.county), ApiClient(people.clerk), ApiClient(people.officer)
    r = county.post("/reserve-fund/allocations", {"township": CHANGNING, "amount": "3000", "note": "拨付"})
    assert r.status_code == 201 and r.json()["balance_after"] == "3000.00"
    r = officer.post(
        "/relief",
        {
            "kind": "emergency",
            "reason": "途中被盗",
            "amount_asked": "500",
            "village": VILLAGE_A,
            "applicant_name": "赵流浪",
        },
    )
    assert r.status_code == 201, r.json()
    rid = r.json()["id"]
    assert r.json()["applicant_name"] == "赵*浪" and r.json()["outside_register"] is True
    r = officer.post(f"/relief/{rid}/pay-first", {"amount": "500"})
    assert r.status_code == 403
    r = clerk.post(f"/relief/{rid}/pay-first", {"amount": "3500"})
    assert r.status_code == 409 and r.json()["code"] == "fund_insufficient" and r.json()["field"] == "amount"
    r = clerk.post(f"/relief/{rid}/pay-first", {"amount": "500"})
    assert r.status_code == 200 and r.json()["status"] == "paid_first"
    assert r.json()["paperwork_due"] == "2026-06-08"
    assert [x["id"] for x in clerk.get("/relief", {"overdue": "true"}).json()] == []
    r = clerk.post(f"/relief/{rid}/decision", {"approve": True, "amount": "500"})
    assert r.json()["status"] == "paid"
    r = clerk.get(f"/reserve-fund/{CHANGNING}/statement", {"month": "2026-06"})
    assert r.json()["closing"] == "2500.00" and len(r.json()["entries"]) == 2
    notice = clerk.get(f"/relief-notice/{CHANGNING}", {"month": "2026-06"}).json()
    assert notice[0]["name"] == "赵*浪" and notice[0]["amount"] == "500.00" and notice[0]["relief_first"]


def test_cash_grant_with_receipt_through_the_api(people, funded, make_household, today):
    funded("2000")
    clerk = ApiClient(people.clerk)
    h = make_household(VILLAGE_A)
    r = clerk.post(
        "/relief", {"kind": "expenditure", "reason": "学费", "amount_asked": "800", "household_id": h.pk}
    )
    rid = r.json()["id"]
    r = clerk.post(f"/relief/{rid}/decision", {"approve": True, "amount": "800"})
    assert r.status_code == 400 and r.json()["field"] == "pay_method"
    r = clerk.post(f"/relief/{rid}/decision", {"approve": True, "amount": "800", "pay_method": "cash"})
    assert r.json()["status"] == "approved"
    r = clerk.client.post(
        f"/api/v1/relief/{rid}/cash",
        {"receipt": SimpleUploadedFile("收据.png", b"\x89PNG receipt", "image/png")},
        **clerk.headers,
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "paid" and r.json()["has_receipt"]
    assert ReserveFund.objects.get().balance == 1200


def test_relief_outside_the_officer_area_is_refused_and_nothing_written(people, make_household, today):
    h = make_household(VILLAGE_C)
    officer = ApiClient(people.officer)
    r = officer.post(
        "/relief", {"kind": "emergency", "reason": "火灾", "amount_asked": "500", "household_id": h.pk}
    )
    assert r.status_code == 404 and r.json()["code"] == "household_not_found"
    r = officer.post(
        "/relief",
        {
            "kind": "emergency",
            "reason": "火灾",
            "amount_asked": "500",
            "village": VILLAGE_C,
            "applicant_name": "李四",
        },
    )
    assert r.status_code == 400 and r.json()["field"] == "village"
    r = officer.post("/relief", {"kind": "emergency", "reason": "", "amount_asked": "500", "household_id": 1})
    assert ReliefApplication.objects.count() == 0 and FundEntry.objects.count() == 0


def test_another_township_cannot_read_the_statement(people, funded, today):
    funded()
    r = ApiClient(people.clerk_gh).get(f"/reserve-fund/{CHANGNING}/statement", {"month": "2026-06"})
    assert r.status_code == 404
    r = ApiClient(people.auditor).get(f"/reserve-fund/{CHANGNING}/statement", {"month": "2026-06"})
    assert r.status_code == 200 and r.json()["closing"] == "5000.00"
    r = ApiClient(people.clerk).post("/reserve-fund/allocations", {"township": CHANGNING, "amount": "1"})
    assert r.status_code == 403
