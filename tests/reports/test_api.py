"""The API of the monthly change report: typed shapes, the workflow, scoping, errors naming the
field, and the Excel file."""

from __future__ import annotations

import io

import openpyxl
import pytest

from safetynet.accounts.roles import Role
from safetynet.reports.models import MonthlyReport
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A
from tests.reports.conftest import D, open_, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user):
    return {
        "clerk": ApiClient(make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_cn")),
        "other": ApiClient(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh")),
        "county": ApiClient(make_user(Role.COUNTY_CIVIL, "141029", "county_mz")),
        "officer": ApiClient(make_user(Role.VILLAGE_OFFICER, VILLAGE_A, "officer_a")),
    }


def test_prepare_submit_approve_and_read(api, make_household):
    h = make_household()
    open_(h, D(2026, 5, 1), terms(amount="700"))
    r = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "draft" and body["totals"]["new_households"] == 1
    f = body["figures"]
    assert f["by_category"][0]["group_label"] == "低保"
    assert f["households"][0]["household_id"] == h.pk and f["households"][0]["after"]["amount"] == "700.00"
    assert f["opening"]["households"] == 0 and f["closing"]["households"] == 1
    rid = body["id"]
    again = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"})
    assert again.status_code == 200 and again.json()["id"] == rid and again.json()["version"] == 2
    assert api["clerk"].post(f"/monthly-reports/{rid}/submit").json()["status"] == "submitted"
    approved = api["county"].post(f"/monthly-reports/{rid}/approve").json()
    assert approved["status"] == "approved" and approved["approved_by"] == "county_mz"
    listing = api["county"].get("/monthly-reports", {"status": "approved"}).json()
    assert listing["count"] == 1 and listing["items"][0]["status_label"] == "已审批（锁定）"
    assert api["clerk"].get(f"/monthly-reports/{rid}").json()["digest"] == approved["digest"]


def test_errors_name_the_field(api):
    r = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-5"})
    assert r.status_code == 400 and r.json()["field"] == "month" and "YYYY-MM" in r.json()["message"]
    r = api["clerk"].post("/monthly-reports", {"township": "1410291", "month": "2026-05"})
    assert r.status_code == 400 and r.json()["field"] == "township"
    r = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-13"})
    assert r.status_code == 400 and r.json() == {
        "code": "invalid_month", "message": "月份格式应为 YYYY-MM（如 2026-06）。", "field": "month",
    }  # fmt: skip
    r = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2099-01"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "month_not_ended", "month")
    r = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05", "extra": 1})
    assert r.status_code == 400 and r.json()["field"] == "extra"
    rid = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"}).json()["id"]
    r = api["county"].post(f"/monthly-reports/{rid}/approve")
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (409, "wrong_status", "status")
    api["clerk"].post(f"/monthly-reports/{rid}/submit")
    r = api["county"].post(f"/monthly-reports/{rid}/return", {"reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"})
    assert (r.status_code, r.json()["code"]) == (409, "report_submitted")
    assert MonthlyReport.objects.get().status == "submitted"


def test_scoping_and_permissions(api):
    rid = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"}).json()["id"]
    for path in (f"/monthly-reports/{rid}", f"/monthly-reports/{rid}/export.xlsx"):
        r = api["other"].get(path)
        assert r.status_code == 404 and r.json()["code"] == "report_not_found"
    assert api["other"].post(f"/monthly-reports/{rid}/submit").status_code == 404
    r = api["other"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"})
    assert (r.status_code, r.json()["field"]) == (404, "township")
    assert api["other"].get("/monthly-reports").json()["count"] == 0
    r = api["officer"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert api["officer"].get("/monthly-reports").json()["count"] == 0
    r = api["county"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-05"})
    assert r.status_code == 403
    api["clerk"].post(f"/monthly-reports/{rid}/submit")
    assert api["clerk"].post(f"/monthly-reports/{rid}/approve").status_code == 403
    assert api["county"].get("/monthly-reports").json()["count"] == 1


def test_the_excel_file_and_a_never_prepared_month(api, make_household):
    open_(make_household(), D(2026, 4, 1), terms(amount="300"))
    r = api["clerk"].get("/monthly-reports/preview", {"township": CHANGNING, "month": "2026-04"})
    assert r.status_code == 200 and r.json()["report_id"] is None and not r.json()["provisional"]
    r = api["clerk"].get("/monthly-reports/preview", {"township": CHANGNING, "month": "2026-4"})
    assert r.status_code == 400 and r.json()["field"] == "month"
    rid = api["clerk"].post("/monthly-reports", {"township": CHANGNING, "month": "2026-04"}).json()["id"]
    r = api["clerk"].get(f"/monthly-reports/{rid}/export.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    total = next(row for row in wb["汇总"].iter_rows(values_only=True) if row[1] == "合计")
    assert total[2] == 1  # 新增户数
    preview = api["clerk"].get("/monthly-reports/preview", {"township": CHANGNING, "month": "2026-04"}).json()
    assert preview["report_id"] == rid and preview["figures"]["totals"]["new_households"] == 1
