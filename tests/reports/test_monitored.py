"""The monitored-household summary for agriculture: the month's end stock of 防返贫监测对象 by type,
those also in 低保/特困, marked during the month, left monitoring (and of them through 风险消除),
with a measure referred; stored with the month's statistics; HTML, Excel and API."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from safetynet.accounts.roles import Role
from safetynet.assistance import services as assistance
from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from safetynet.reports import statistics
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, VILLAGE_A, VILLAGE_C, member
from tests.reports.conftest import D, open_, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(make_household, make_user, today):
    """昌宁, 2026: 甲 a 低保 边缘易致贫户 since January with a measure referred on 3 May; 乙 a
    突发严重困难户 marked on 10 May; 丙 脱贫不稳定户 since January, mark ended by 风险消除 on 15 May
    (no row after); 丁 脱贫不稳定户 since January, 风险消除 on 20 May into plain 低保; 戊 脱贫不稳定户,
    a death on 25 May (stopped). 光华: 己, 边缘易致贫户."""
    hh = {n: make_household(VILLAGE_A, members=[member("head", name=n)]) for n in "甲乙丙丁戊"}
    hh["己"] = make_household(VILLAGE_C, members=[member("head", name="己")])
    open_(hh["甲"], D(2026, 1, 1), terms("dibao", "600", True, "edge_prone"))
    open_(hh["乙"], D(2026, 5, 10), terms("none", "0", True, "sudden_hardship"))
    for n in "丙丁戊":
        open_(hh[n], D(2026, 1, 1), terms("none", "0", True, "unstable_alleviated"))
    open_(hh["己"], D(2026, 1, 1), terms("none", "0", True, "edge_prone"))
    ent.close_current(
        household=hh["丙"], on=D(2026, 5, 15), basis="risk_closure", actor=SYSTEM, reason="风险消除"
    )
    open_(hh["丁"], D(2026, 5, 20), terms("dibao", "500"), basis="risk_closure")
    ent.close_current(household=hh["戊"], on=D(2026, 5, 25), basis="stop", actor=SYSTEM, reason="死亡")
    clerk = make_user(Role.TOWNSHIP_CLERK)
    assistance.add_measure(user=clerk, household=hh["甲"], kind="employment", on=D(2026, 5, 3))
    return hh


def _summary(user, month, township=CHANGNING):
    return statistics.read(user, month, township)["townships"][0]["monitored"]


def test_the_month_by_type_with_new_marks_and_exits(marked, make_user):
    county = make_user(Role.COUNTY_AGRI, "141029")
    may = _summary(county, "2026-05")
    t = may["types"]
    assert t["edge_prone"] == {
        "households": 1,
        "people": 1,
        "with_dibao_or_tekun": 1,
        "new": 0,
        "exits": 0,
        "risk_closed": 0,
    }
    assert (t["sudden_hardship"]["households"], t["sudden_hardship"]["new"]) == (1, 1)
    assert t["unstable_alleviated"] == {
        "households": 0,
        "people": 0,
        "with_dibao_or_tekun": 0,
        "new": 0,
        "exits": 3,
        "risk_closed": 2,
    }
    assert may["households_with_measures"] == 1
    april = _summary(county, "2026-04")
    assert april["types"]["unstable_alleviated"]["households"] == 3 and april["households_with_measures"] == 0
    assert april["types"]["sudden_hardship"]["households"] == 0
    total = statistics.read(county, "2026-05")["total"]["monitored"]
    assert total["types"]["edge_prone"]["households"] == 2  # 甲 in 昌宁 and 己 in 光华


def test_a_closed_month_is_stored_and_reads_the_same_after_a_late_change(marked, make_user):
    county = make_user(Role.COUNTY_AGRI, "141029")
    first = _summary(county, "2026-03")  # its cutoff (end of April) has passed: stored
    ent.close_current(
        household=marked["甲"], on=D(2026, 3, 10), basis="stop", actor=SYSTEM, reason="迟报迁出"
    )
    assert _summary(county, "2026-03") == first
    assert first["types"]["edge_prone"]["households"] == 1


def test_page_excel_and_api_for_agriculture_and_a_township_sees_its_own(marked, make_user):
    agri = make_user(Role.COUNTY_AGRI, "141029")
    c = Client()
    c.force_login(agri)
    page = c.get("/reports/monitored/", {"month": "2026-05"})
    body = page.content.decode()
    assert (
        page.status_code == 200
        and "防返贫监测对象汇总" in body
        and "突发严重困难户" in body
        and "合计" in body
    )
    xlsx = c.get("/reports/monitored/export.xlsx", {"month": "2026-05", "township": CHANGNING})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    unstable = next(r for r in rows if r[1] == "脱贫不稳定户")
    assert unstable[2:8] == (0, 0, 0, 0, 3, 2)
    assert c.get("/reports/monitored/", {"month": "2099-01"}).status_code == 400
    api = ApiClient(agri).get("/statistics", {"month": "2026-05", "township": CHANGNING})
    assert api.status_code == 200
    assert api.json()["townships"][0]["monitored"]["types"]["sudden_hardship"]["new"] == 1
    xlsx = ApiClient(agri).get("/statistics/monitored.xlsx", {"month": "2026-05"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    clerk = Client()
    clerk.force_login(make_user(Role.TOWNSHIP_CLERK, username="clerk_reads"))
    assert clerk.get("/reports/monitored/", {"month": "2026-05", "township": "141029101"}).status_code == 404
    officer = Client()
    officer.force_login(make_user(Role.VILLAGE_OFFICER))
    assert officer.get("/reports/monitored/", {"month": "2026-05"}).status_code == 403
