"""Relief in the web, role by role: who sees the application, the error beside the field."""

from __future__ import annotations

import pytest
from django.test import Client

from safetynet.relief.models import FundEntry, ReliefApplication
from tests.conftest import CHANGNING, PASSWORD

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_each_role_sees_the_application_only_in_its_area(people, funded, emergency, today):
    app = emergency()
    seen = {
        "officer": _as(people.officer).get(f"/relief/{app.pk}/").status_code,
        "officer_c": _as(people.officer_c).get(f"/relief/{app.pk}/").status_code,
        "clerk": _as(people.clerk).get(f"/relief/{app.pk}/").status_code,
        "clerk_gh": _as(people.clerk_gh).get(f"/relief/{app.pk}/").status_code,
        "county": _as(people.county).get(f"/relief/{app.pk}/").status_code,
        "auditor": _as(people.auditor).get(f"/relief/{app.pk}/").status_code,
    }
    assert seen == {
        "officer": 200,
        "officer_c": 404,
        "clerk": 200,
        "clerk_gh": 404,
        "county": 200,
        "auditor": 200,
    }
    assert "先行救助" in _as(people.clerk).get(f"/relief/{app.pk}/").content.decode()
    assert 'id="pay-first-form"' not in _as(people.officer).get(f"/relief/{app.pk}/").content.decode()


def test_a_payout_above_the_balance_shows_the_message_and_writes_nothing(people, funded, emergency, today):
    funded("100")
    app = emergency()
    r = _as(people.clerk).post(f"/relief/{app.pk}/", {"action": "pay_first", "amount": "500"})
    assert r.status_code == 409 and "备用金余额不足" in r.content.decode()
    assert ReliefApplication.objects.get(pk=app.pk).status == "applied"
    assert FundEntry.objects.filter(kind="payout").count() == 0


def test_the_fund_statement_page_and_the_notice(people, funded, emergency, today):
    funded("900")
    r = _as(people.clerk).get(f"/relief/fund/{CHANGNING}/?month=2026-06")
    assert r.status_code == 200 and "900.00" in r.content.decode()
    assert _as(people.clerk_gh).get(f"/relief/fund/{CHANGNING}/").status_code == 404
    assert _as(people.clerk).get(f"/relief/notice/{CHANGNING}/?month=2026-06").status_code == 200


def test_the_list_filters_searches_pages_and_stays_in_reach(people, funded, emergency, today):
    first, second = emergency(), emergency("800")
    clerk = _as(people.clerk)
    page = clerk.get("/relief/").content.decode()
    assert first.reference in page and second.reference in page
    assert first.applicant_name not in page  # masked, as in every list
    only = clerk.get("/relief/", {"q": second.reference}).content.decode()
    assert second.reference in only and first.reference not in only
    assert first.reference not in clerk.get("/relief/", {"status": "paid_first"}).content.decode()
    bad = clerk.get("/relief/", {"created_from": "2026-06-02", "created_to": "2026-06-01"})
    assert bad.status_code == 400 and "起始日期不能晚于截止日期" in bad.content.decode()
    assert clerk.get("/relief/", {"status": "lost"}).status_code == 400
    assert first.reference not in _as(people.clerk_gh).get("/relief/").content.decode()
    by_amount = clerk.get("/relief/", {"sort": "-amount_asked"}).content.decode()
    assert by_amount.index(first.reference) < by_amount.index(second.reference)
