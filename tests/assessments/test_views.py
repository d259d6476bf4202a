import datetime as dt

import pytest
from django.test import Client

from safetynet.assessments.models import Assessment, ParameterEntry
from tests.conftest import PASSWORD, VILLAGE_A, VILLAGE_C, member


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_parameters_page_lists_values_in_force_and_marks_unverified(users):
    r = _client(users["township_clerk"]).get("/policy/parameters/?on=2026-06-01")
    assert r.status_code == 200
    text = r.content.decode()
    assert "dibao.standard_monthly.rural" in text and "未核实" in text
    assert "新增带日期的参数值" not in text  # a clerk cannot add values


def test_county_officer_adds_a_dated_value_and_errors_show_beside_the_field(users):
    c = _client(users["county_civil"])
    bad = c.post(
        "/policy/parameters/",
        {
            "name": "dibao.standard_monthly.rural",
            "value": "-5",
            "effective_from": "2026-07-01",
            "reference": "通知",
        },
    )
    assert bad.status_code == 400 and "field-error" in bad.content.decode()
    assert not ParameterEntry.objects.exists()
    ok = c.post(
        "/policy/parameters/",
        {
            "name": "dibao.standard_monthly.rural",
            "value": "650",
            "effective_from": "2026-07-01",
            "reference": "乡宁县通知 第一条",
            "verified": "on",
        },
    )
    assert ok.status_code == 200
    assert ParameterEntry.objects.get().verified
    assert "650" in c.get("/policy/parameters/?on=2026-07-02").content.decode()


def test_clerk_cannot_post_a_parameter_value(users):
    r = _client(users["township_clerk"]).post(
        "/policy/parameters/",
        {"name": "edge.income_multiplier", "value": "2", "effective_from": "2026-07-01", "reference": "x"},
    )
    assert r.status_code == 403


def test_household_assessment_is_shown_with_its_explanation_and_scoped(users, make_household):
    h = make_household(VILLAGE_A, members=[member(birth=dt.date(1980, 1, 1), income_wage_12m="3600")])
    outside = make_household(VILLAGE_C)
    c = _client(users["township_clerk"])
    r = c.post(f"/policy/households/{h.pk}/assess/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    text = r.content.decode()
    assert "低保" in text and "测算依据" in text and "未经核实" in text
    assert Assessment.objects.filter(household=h).count() == 1
    assert "低保" in c.get(f"/policy/households/{h.pk}/assessment/").content.decode()
    assert c.post(f"/policy/households/{outside.pk}/assess/").status_code == 404
    assert c.get(f"/policy/households/{outside.pk}/assessment/").status_code == 404


def test_the_read_only_auditor_cannot_store_an_assessment_and_is_not_offered_to(users, make_household):
    h = make_household(VILLAGE_A, members=[member(birth=dt.date(1980, 1, 1), income_wage_12m="3600")])
    c = _client(users["auditor"])
    r = c.post(f"/policy/households/{h.pk}/assess/", HTTP_HX_REQUEST="true")
    assert r.status_code == 403
    assert not Assessment.objects.exists()
    page = c.get(f"/policy/households/{h.pk}/assessment/")
    assert page.status_code == 200 and "重新测算" not in page.content.decode()
    clerk_page = _client(users["township_clerk"]).get(f"/policy/households/{h.pk}/assessment/")
    assert "重新测算" in clerk_page.content.decode()


@pytest.mark.parametrize(
    "role, status",
    [("leading_office", 200), ("county_civil", 200), ("township_clerk", 403), ("auditor", 403)],
)
def test_simulation_page_is_for_the_county_parameter_roles(users, role, status):
    assert _client(users[role]).get("/policy/simulate/").status_code == status


def test_simulation_page_reports_changes_and_the_two_lines(users, make_household):
    make_household(VILLAGE_A, members=[member(birth=dt.date(1980, 1, 1), income_wage_12m="7440")])
    c = _client(users["leading_office"])
    page = c.get("/policy/simulate/").content.decode()
    assert "两线合一" in page and "echarts.min.js" in page
    r = c.post("/policy/simulate/", {"on": "2027-01-01", "dibao.standard_monthly.rural": "650"})
    text = r.content.decode()
    assert r.status_code == 200 and "测算结果" in text and "低保边缘 → 低保：1 户 1 人" in text
