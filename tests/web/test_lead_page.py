"""From a lead to a case without detours, through the web client: the lead page with its evidence,
creating the household from the lead or linking one found by ID number or name, then 受理; or
dismissal with a reason. Outside the user's area the lead is a 404."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.cases import services
from safetynet.cases.models import Case, Lead
from safetynet.registry.models import Household
from tests.conftest import GUANGHUA, VILLAGE_A, new_id


@pytest.fixture
def lead_without_household(users):
    lead, _ = services.raise_lead(
        channel="data_comparison",
        village=users["village_officer"].area,
        summary="比对发现：家庭成员住院",
        subject_name="周新民",
        subject_id_number=new_id(dt.date(1975, 1, 2)),
        rule="major_medical",
        department="县医疗保障局",
        evidence={"住院费用": "52000元", "期间": "2026-03"},
    )
    return lead


def test_the_lead_page_shows_its_evidence_with_the_subject_masked(lead_without_household, users, client_for):
    lead = lead_without_household
    html = client_for(users["township_clerk"]).get(f"/cases/leads/{lead.pk}/").content.decode()
    assert lead.reference in html and "52000元" in html and "县医疗保障局" in html and "major_medical" in html
    assert "周*民" in html and lead.subject_id_number not in html


def test_a_lead_outside_the_area_is_not_found(lead_without_household, make_user, client_for):
    other = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh")
    assert client_for(other).get(f"/cases/leads/{lead_without_household.pk}/").status_code == 404


def test_create_the_household_from_the_lead_then_accept(lead_without_household, users, client_for):
    lead, client = lead_without_household, client_for(users["township_clerk"])
    page = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'value="周新民"' in page and "按线索新建户档案" in page
    missing = client.post(f"/cases/leads/{lead.pk}/", {"action": "create_household", "village": VILLAGE_A})
    assert missing.status_code == 400 and "请填写住址" in missing.content.decode()
    created = client.post(
        f"/cases/leads/{lead.pk}/",
        {"action": "create_household", "village": VILLAGE_A, "address": "东关街1号", "hukou": "rural"},
    )
    assert created.status_code == 302
    household = Household.objects.get(address="东关街1号")
    assert household.head.name == "周新民" and household.head.id_number == lead.subject_id_number
    page = client.get(created["Location"]).content.decode()
    assert f"户{household.pk}" in page and "关联此户并受理" in page  # found by the lead's ID number
    accepted = client.post(f"/cases/leads/{lead.pk}/", {"action": "accept", "household_id": household.pk})
    case = Case.objects.get(household=household)
    assert accepted.status_code == 302 and accepted["Location"] == f"/cases/{case.pk}/"
    lead.refresh_from_db()
    assert lead.status == Lead.Status.IN_CASE and lead.case_id == case.pk


def test_link_an_existing_household_found_by_name(users, client_for, make_household):
    from tests.conftest import member

    household = make_household(VILLAGE_A, members=[member("head", name="吴桂兰")])
    lead, _ = services.raise_lead(
        channel="grassroots",
        village=users["village_officer"].area,
        summary="走访",
        subject_name="吴桂兰",
        subject_id_number=new_id(dt.date(1960, 6, 6)),  # not the registered one: found by name
    )
    client = client_for(users["township_clerk"])
    page = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert f"户{household.pk}" in page
    searched = client.get(f"/cases/leads/{lead.pk}/", {"q": "吴桂兰"}).content.decode()
    assert f"户{household.pk}" in searched
    r = client.post(f"/cases/leads/{lead.pk}/", {"action": "accept", "household_id": household.pk})
    assert r.status_code == 302 and Case.objects.filter(household=household).exists()


def test_accept_without_a_household_says_so_on_the_page(lead_without_household, users, client_for):
    r = client_for(users["township_clerk"]).post(
        f"/cases/leads/{lead_without_household.pk}/", {"action": "accept"}
    )
    assert r.status_code == 400 and "请先为该线索关联或新建户档案" in r.content.decode()
    assert "<html" in r.content.decode()  # the lead page again, not a bare message


def test_dismiss_with_a_reason(lead_without_household, users, client_for):
    lead, client = lead_without_household, client_for(users["township_clerk"])
    r = client.post(f"/cases/leads/{lead.pk}/", {"action": "dismiss", "reason": ""})
    assert r.status_code == 400
    r = client.post(f"/cases/leads/{lead.pk}/", {"action": "dismiss", "reason": "经核实已有稳定收入"})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DISMISSED


def test_a_village_officer_sees_the_lead_but_cannot_accept_it(lead_without_household, users, client_for):
    client = client_for(users["village_officer"])
    page = client.get(f"/cases/leads/{lead_without_household.pk}/").content.decode()
    assert "比对发现" in page and "关联此户并受理" not in page
    r = client.post(f"/cases/leads/{lead_without_household.pk}/", {"action": "dismiss", "reason": "无"})
    assert r.status_code == 403
