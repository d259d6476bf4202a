"""The report pages: the list by area, preparing with errors beside the field, the actions with
confirmations, scoping (another township's clerk gets 404, a village officer has no page), and the
Excel file's documented layout."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.entitlements import services as ent
from safetynet.reports import export
from safetynet.reports.models import MonthlyReport
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_C, member
from tests.reports.conftest import D, open_, stop, terms

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def actors(make_user):
    return {
        "clerk": client(make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_cn")),
        "other": client(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh")),
        "county": client(make_user(Role.COUNTY_CIVIL, "141029", "county_mz")),
        "officer": client(make_user(Role.VILLAGE_OFFICER, VILLAGE_A, "officer_a")),
    }


def prepare(c: Client, month="2026-05", township=CHANGNING):
    return c.post("/reports/prepare/", {"township": township, "month": month})


def test_prepare_submit_and_approve_through_the_pages(actors, make_household):
    open_(make_household(), D(2026, 5, 1), terms(amount="612.50"))
    r = prepare(actors["clerk"])
    assert r.status_code == 302
    report = MonthlyReport.objects.get()
    page = actors["clerk"].get(r["Location"]).content.decode()
    assert "612.50" in page and 'id="submit-report"' in page and "data-confirm" in page
    assert 'id="approve-report"' not in page
    assert actors["clerk"].post(f"/reports/{report.pk}/submit/").status_code == 302
    page = actors["county"].get(f"/reports/{report.pk}/").content.decode()
    assert 'id="approve-report"' in page and 'id="return-report"' in page
    assert actors["county"].post(f"/reports/{report.pk}/approve/").status_code == 302
    page = actors["county"].get(f"/reports/{report.pk}/").content.decode()
    assert "已审批（锁定）" in page and 'id="approve-report"' not in page and "已审批，报表已锁定" in page
    r = prepare(actors["clerk"])  # locked: refused beside the month, nothing written
    assert r.status_code == 409 and "锁定" in r.content.decode()
    assert MonthlyReport.objects.get().version == 3


def test_bad_input_is_shown_beside_the_field(actors):
    r = prepare(actors["clerk"], month="2026-5")
    assert r.status_code == 400
    assert "月份格式应为 YYYY-MM" in r.content.decode() and MonthlyReport.objects.count() == 0
    r = actors["clerk"].post(f"/reports/{9999}/approve/")
    assert r.status_code == 404


def test_each_sees_only_their_area_and_others_get_404(actors, make_household):
    prepare(actors["clerk"])
    prepare(actors["other"], township=GUANGHUA)
    mine = MonthlyReport.objects.get(township__code=CHANGNING)
    theirs = MonthlyReport.objects.get(township__code=GUANGHUA)
    listing = actors["clerk"].get("/reports/").content.decode()
    assert f"/reports/{mine.pk}/" in listing and f"/reports/{theirs.pk}/" not in listing
    county = actors["county"].get("/reports/").content.decode()
    assert (
        f"/reports/{mine.pk}/" in county
        and f"/reports/{theirs.pk}/" in county
        and "已编制（待报送）" in county
    )
    assert 'id="prepare"' not in county  # county approves, does not prepare
    assert actors["other"].get(f"/reports/{mine.pk}/").status_code == 404
    assert actors["other"].get(f"/reports/{mine.pk}/export.xlsx").status_code == 404
    assert actors["other"].post(f"/reports/{mine.pk}/submit/").status_code == 404
    assert prepare(actors["other"], township=CHANGNING).status_code == 400  # not a township they reach
    assert actors["officer"].get("/reports/").status_code == 404
    assert actors["officer"].get(f"/reports/{mine.pk}/").status_code == 404
    assert actors["county"].post(f"/reports/{mine.pk}/approve/").status_code == 302  # refused: a draft
    mine.refresh_from_db()
    assert mine.status == "draft"


def test_the_excel_file_has_the_documented_sheets_headers_and_totals(actors, make_household):
    edge = make_household(members=[member("head", name="欧阳小明"), member("spouse", name="李秀")])
    spouse = edge.memberships.get(relation="spouse").person
    open_(
        edge,
        D(2026, 5, 1),
        terms(
            "dibao_edge",
            "290",
            members=[ent.MemberPart(spouse.pk, "individual_dibao", benefit_monthly=Decimal("290"))],
        ),
    )
    old = make_household()
    open_(old, D(2026, 1, 1), terms(amount="1200.50"))
    open_(old, D(2026, 5, 1), terms(amount="1000", marked=True, mtype="edge_prone"), basis="change")
    gone = make_household()
    open_(gone, D(2026, 1, 1), terms("tekun", "800"))
    stop(gone, D(2026, 5, 1))
    open_(make_household(VILLAGE_C), D(2026, 5, 1))  # another township: not in it
    prepare(actors["clerk"])
    report = MonthlyReport.objects.get()
    r = actors["clerk"].get(f"/reports/{report.pk}/export.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [
        export.SUMMARY,
        export.HOUSEHOLDS,
        export.PEOPLE,
        export.CORRECTIONS,
        export.INFO,
    ]
    summary = list(wb[export.SUMMARY].iter_rows(values_only=True))
    assert list(summary[0]) == export.SUMMARY_HEADERS
    col = {h: i for i, h in enumerate(export.SUMMARY_HEADERS)}
    totals = [row for row in summary if row[1] == "合计"]
    assert [t[0] for t in totals] == ["按认定类别", "按监测标识"]
    for t in totals:
        assert (t[col["新增户数"]], t[col["变更户数"]], t[col["减少户数"]]) == (1, 1, 1)
        assert t[col["新增人数"]] == 2 and t[col["新增月金额（元）"]] == Decimal("290")
        assert (t[col["变更前月金额（元）"]], t[col["变更后月金额（元）"]]) == (
            Decimal("1200.5"),
            Decimal("1000"),
        )
        assert t[col["减少前月金额（元）"]] == Decimal("800")
    by_cat = {row[1]: row for row in summary if row[0] == "按认定类别" and row[1] != "合计"}
    assert set(by_cat) == {"特困人员", "低保", "低保边缘家庭"}
    by_mark = {row[1] for row in summary if row[0] == "按监测标识" and row[1] != "合计"}
    assert by_mark == {"边缘易致贫户", "非防返贫监测对象"}
    homes = list(wb[export.HOUSEHOLDS].iter_rows(values_only=True))
    assert list(homes[0]) == export.HOUSEHOLD_HEADERS and len(homes) == 4
    names = {row[3] for row in homes[1:]}
    assert "欧**明" in names and "欧阳小明" not in names  # masked
    changed = next(row for row in homes if row[0] == "变更")
    assert changed[4] == "防返贫监测标识、监测类型、月救助金额"
    people = list(wb[export.PEOPLE].iter_rows(values_only=True))
    assert list(people[0]) == export.PEOPLE_HEADERS
    assert {row[2] for row in people[1:]} >= {"李*", "欧**明"}
    assert list(next(wb[export.CORRECTIONS].iter_rows(values_only=True))) == export.CORRECTION_HEADERS
    info = dict(wb[export.INFO].iter_rows(min_row=2, values_only=True))
    assert info["报表月份"] == "2026-05" and info["报表数据摘要（SHA-256）"] == report.digest
    assert AuditRecord.objects.filter(action="monthly_report.export", actor="clerk_cn").count() == 1
