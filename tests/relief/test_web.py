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
